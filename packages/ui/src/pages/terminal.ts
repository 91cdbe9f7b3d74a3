/**
 * @module A terminal in the page: xterm.js over LXD's operation websockets (exec or console). The
 * data socket carries the bytes both ways, the control socket window resizes. xterm.js is loaded
 * only when a terminal opens, so the first page load stays small.
 */
import { call, wsUrl, type Operation } from '../api.js'
import { h, messageOf, notice, replace } from '../dom.js'

/** Opens a terminal for an exec or console request in `el`; the returned function closes it. */
export function openTerminal(el: HTMLElement, endpoint: string, body: Record<string, unknown>): () => void {
  const screen = h('div', { class: 'terminal', 'aria-label': 'Terminal' })
  const status = h('p', { class: 'muted', role: 'status' }, 'Connecting…')
  replace(el, status, screen)
  const sockets: WebSocket[] = []
  let disposed = false
  let dispose = () => {}

  void (async () => {
    const [{ Terminal }, { FitAddon }] = await Promise.all([
      import('@xterm/xterm'),
      import('@xterm/addon-fit'),
      import('@xterm/xterm/css/xterm.css'),
    ])
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
      replace(status, notice('error', messageOf(err)))
      return
    }
    const fds = (op.metadata?.fds ?? {}) as Record<string, string>
    const socketUrl = (secret: string) =>
      wsUrl(`/1.0/operations/${encodeURIComponent(op.id)}/websocket?secret=${encodeURIComponent(secret)}`)
    if (!fds['0']) return replace(status, notice('error', 'The server gave no terminal socket'))
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
      if (!disposed) status.textContent = 'Session ended'
    }
    data.onerror = () => replace(status, notice('error', 'The terminal connection failed'))
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
  })().catch((err: unknown) => replace(status, notice('error', messageOf(err))))

  return () => {
    disposed = true
    for (const s of sockets) s.close()
    dispose()
  }
}
