/**
 * @module A terminal in the page: xterm.js over LXD's operation websockets (exec or console). The
 * data socket carries the bytes both ways, the control socket window resizes. xterm.js is loaded
 * only when a terminal opens, so the first page load stays small.
 */
import { ApiFailure, call, get, wsUrl, type Operation } from '../api.js'
import { h, messageOf, replace } from '../dom.js'

/** Opens a terminal for an exec or console request in `el`; the returned function closes it. */
export function openTerminal(
  el: HTMLElement,
  endpoint: string,
  body: Record<string, unknown>,
  missing = 'This server does not offer this',
): () => void {
  const screen = h('div', { class: 'terminal', 'aria-label': 'Terminal' })
  const status = h('div', { class: 'muted', role: 'status' }, 'Connecting…')
  // One status region for the session: its text and colour change, it is never nested.
  const say = (kind: 'error' | 'info', text: string) => {
    status.className = `notice ${kind}`
    status.setAttribute('role', kind === 'error' ? 'alert' : 'status')
    status.textContent = text
  }
  replace(el, status, screen)
  const sockets: WebSocket[] = []
  let disposed = false
  let dispose = () => {}

  void (async () => {
    // One retry: a chunk fetch can fail on a connection the server just closed (keep-alive).
    const load = () =>
      Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/xterm/css/xterm.css')])
    const [{ Terminal }, { FitAddon }] = await load().catch(() => load())
    if (disposed) return
    const dark = matchMedia('(prefers-color-scheme: dark)').matches
    const term = new Terminal({
      cursorBlink: true,
      convertEol: false,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
      fontSize: 14,
      theme: dark
        ? { background: '#111418', foreground: '#e6e6e6' }
        : { background: '#fbfbfb', foreground: '#1d1d1d', cursor: '#1d1d1d' },
    })
    const fit = new FitAddon()
    term.loadAddon(fit)
    term.open(screen)
    fit.fit()
    dispose = () => term.dispose()

    let op: Operation
    try {
      op = await call<Operation>('POST', endpoint, { ...body, width: term.cols, height: term.rows })
    } catch (err) {
      term.dispose()
      screen.remove()
      const absent = err instanceof ApiFailure && err.status === 404
      if (absent) say('info', `${missing} (the API answered 404: ${err.message})`)
      else say('error', messageOf(err))
      return
    }
    const fds = (op.metadata?.fds ?? {}) as Record<string, string>
    const socketUrl = (secret: string) =>
      wsUrl(`/1.0/operations/${encodeURIComponent(op.id)}/websocket?secret=${encodeURIComponent(secret)}`)
    if (!fds['0']) return say('error', 'The server gave no terminal socket')
    const data = new WebSocket(socketUrl(fds['0']))
    data.binaryType = 'arraybuffer'
    sockets.push(data)
    const control = fds.control ? new WebSocket(socketUrl(fds.control)) : undefined
    if (control) sockets.push(control)
    const encoder = new TextEncoder()
    data.onopen = () => {
      status.textContent = 'Connected'
      term.focus()
    }
    data.onmessage = (e) =>
      term.write(typeof e.data === 'string' ? e.data : new Uint8Array(e.data as ArrayBuffer))
    data.onclose = () => {
      if (disposed) return
      status.textContent = 'Session ended'
      // What ended it: the command's exit status, or the operation's error.
      get<Operation>(`/1.0/operations/${encodeURIComponent(op.id)}`, { project: null }).then(
        (done) => {
          const code = (done.metadata as { return?: number } | null)?.return
          status.textContent = done.err
            ? `Session ended: ${done.err}`
            : `Session ended${code === undefined ? '' : ` (exit status ${code})`}`
        },
        () => {},
      )
    }
    data.onerror = () => say('error', 'The terminal connection failed')
    term.onData((d) => data.readyState === WebSocket.OPEN && data.send(encoder.encode(d)))
    const resize = () => {
      fit.fit()
      if (control?.readyState === WebSocket.OPEN)
        control.send(
          JSON.stringify({
            command: 'window-resize',
            args: { width: String(term.cols), height: String(term.rows) },
          }),
        )
    }
    window.addEventListener('resize', resize)
    const prev = dispose
    dispose = () => {
      window.removeEventListener('resize', resize)
      prev()
    }
  })().catch((err: unknown) => say('error', messageOf(err)))

  return () => {
    disposed = true
    for (const s of sockets) s.close()
    dispose()
  }
}
