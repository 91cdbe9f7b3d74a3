/** @module Operations with their progress, and the live event stream of the project. */
import { get, project, withProject, wsUrl, type Operation } from '../api.js'
import { badge, button, h, messageOf, notice, replace, table, when } from '../dom.js'
import type { Page } from '../router.js'
import { call } from '../api.js'

/** The progress an operation reports in its metadata, if any. */
function progress(op: Operation): string {
  const m = op.metadata ?? {}
  for (const [k, v] of Object.entries(m)) if (k.endsWith('progress') && typeof v === 'string') return v
  return ''
}

/** The operations page. */
export const operationsPage: Page = (root) => {
  const ops = h('div', {}, 'Loading…')
  const events = h('ol', { class: 'events', 'aria-live': 'polite' })
  const status = h('p', { class: 'muted', role: 'status' }, 'Connecting to the event stream…')
  replace(root, h('h1', {}, 'Operations'), ops, h('h2', {}, 'Live events'), status, events)

  const draw = async () => {
    try {
      const byStatus = await get<Record<string, Operation[]>>('/1.0/operations?recursion=1')
      const all = Object.values(byStatus ?? {}).flat()
      replace(
        ops,
        table(
          ['Description', 'Status', 'Progress', 'Created', 'Class', ''],
          all.map((o) => [
            o.description,
            badge(o.status),
            progress(o),
            when(o.created_at),
            o.class,
            o.may_cancel
              ? button('Cancel', () => call('DELETE', `/1.0/operations/${o.id}`), { kind: 'danger' })
              : '',
          ]),
          'No operations running.',
        ),
      )
    } catch (err) {
      replace(ops, notice('error', messageOf(err)))
    }
  }
  void draw()
  const timer = setInterval(() => void draw(), 2000)

  const ws = new WebSocket(wsUrl(withProject('/1.0/events?type=operation,lifecycle', project())))
  ws.onopen = () => (status.textContent = 'Listening for events.')
  ws.onerror = () => replace(status, notice('error', 'The event stream is not available.'))
  ws.onclose = () => (status.textContent = 'The event stream closed.')
  ws.onmessage = (e) => {
    let ev: { type: string; timestamp: string; metadata: Record<string, unknown>; project?: string }
    try {
      ev = JSON.parse(String(e.data)) as typeof ev
    } catch {
      return
    }
    const m = ev.metadata
    const what =
      ev.type === 'lifecycle'
        ? `${String(m.action)} ${String(m.source)}`
        : `${String(m.description)}: ${String(m.status)}${progress(m as unknown as Operation) ? ` (${progress(m as unknown as Operation)})` : ''}`
    events.prepend(h('li', {}, h('time', {}, when(ev.timestamp)), ' ', badge(ev.type), ' ', what))
    while (events.children.length > 100) events.lastElementChild?.remove()
    if (ev.type === 'operation') void draw()
  }
  return () => {
    clearInterval(timer)
    ws.close()
  }
}
