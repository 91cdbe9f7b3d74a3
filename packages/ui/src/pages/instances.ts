/** @module The instance list: state, addresses, CPU and memory sparklines, a filter and bulk start/stop. */
import { ApiFailure, call, get, wait, type Operation } from '../api.js'
import { badge, button, bytes, h, link, notice, replace, showError, sparkline, toast } from '../dom.js'
import type { Page } from '../router.js'
import { href } from '../router.js'
import type { Instance } from '../types.js'

/** Samples kept per instance for the sparklines (in memory only, for this tab). */
const history = new Map<string, { t: number; cpu: number; cpuPct: number[]; mem: number[] }>()
const samples = 30

/** The addresses worth showing: global ones, not loopback, not link-local. */
export function addressesOf(inst: Instance): string[] {
  const out: string[] = []
  for (const [nic, net] of Object.entries(inst.state?.network ?? {})) {
    if (nic === 'lo') continue
    for (const a of net.addresses) if (a.scope === 'global') out.push(`${a.address} (${nic})`)
  }
  return out
}

function record(inst: Instance, now: number): { cpu: number[]; mem: number[] } {
  const key = `${inst.project ?? ''}/${inst.name}`
  const cpu = inst.state?.cpu?.usage ?? 0
  const mem = inst.state?.memory?.usage ?? 0
  const prev = history.get(key)
  const entry = prev ?? { t: now, cpu, cpuPct: [], mem: [] }
  if (prev && now > prev.t) {
    // usage is CPU time in ns: its growth over wall time is the share of one core.
    const pct = Math.max(0, ((cpu - prev.cpu) / ((now - prev.t) * 1e6)) * 100)
    entry.cpuPct = [...prev.cpuPct, pct].slice(-samples)
  }
  entry.mem = [...entry.mem, mem].slice(-samples)
  entry.t = now
  entry.cpu = cpu
  history.set(key, entry)
  return { cpu: entry.cpuPct, mem: entry.mem }
}

/** Changes an instance's state and waits for it. */
export async function changeState(name: string, action: string, force = false): Promise<void> {
  const body = { action, timeout: action === 'stop' || action === 'restart' ? 30 : -1, force }
  const op = await call<Operation>('PUT', `/1.0/instances/${encodeURIComponent(name)}/state`, body)
  await wait(op)
}

/** The instances page. */
export const instancesPage: Page = (root) => {
  const filter = h('input', {
    type: 'search',
    placeholder: 'Filter by name, state or address',
    'aria-label': 'Filter instances',
  })
  const force = h('input', { type: 'checkbox', id: 'bulk-force' })
  const body = h('div', {}, 'Loading…')
  const selected = new Set<string>()
  let list: Instance[] = []

  const bulk = (action: 'start' | 'stop') =>
    button(`${action === 'start' ? 'Start' : 'Stop'} selected`, async () => {
      const names = [...selected]
      if (!names.length) return toast('error', 'Select instances first')
      const results = await Promise.allSettled(names.map((n) => changeState(n, action, force.checked)))
      results.forEach(
        (r, i) => r.status === 'rejected' && showError(`${names[i]}: ${(r.reason as Error).message}`),
      )
      await refresh()
    })

  const draw = () => {
    const q = filter.value.trim().toLowerCase()
    const shown = list.filter((i) =>
      [i.name, i.status, ...addressesOf(i)].some((s) => s.toLowerCase().includes(q)),
    )
    const now = Date.now()
    const rows = shown.map((i) => {
      const hist = record(i, now)
      const box = h('input', {
        type: 'checkbox',
        'aria-label': `Select ${i.name}`,
        checked: selected.has(i.name),
      })
      box.addEventListener('change', () => (box.checked ? selected.add(i.name) : selected.delete(i.name)))
      const addrs = addressesOf(i)
      return h(
        'tr',
        { 'data-instance': i.name },
        h('td', {}, box),
        h('td', {}, link(href(`/instances/${encodeURIComponent(i.name)}`), i.name)),
        h('td', { class: 'state' }, badge(i.status)),
        h(
          'td',
          { class: 'addresses' },
          addrs.length ? h('ul', {}, ...addrs.map((a) => h('li', {}, a))) : '–',
        ),
        h('td', {}, sparkline(hist.cpu, 100, `CPU ${(hist.cpu.at(-1) ?? 0).toFixed(1)}% of a core`)),
        h(
          'td',
          {},
          sparkline(hist.mem, Math.max(...hist.mem, 1), `Memory ${bytes(hist.mem.at(-1))}`),
          ' ',
          h('span', { class: 'muted' }, bytes(i.state?.memory?.usage)),
        ),
        h('td', {}, i.type),
      )
    })
    const headers = ['', 'Name', 'State', 'Addresses', 'CPU', 'Memory', 'Type']
    const tbl = h(
      'table',
      { class: 'instances' },
      h('thead', {}, h('tr', {}, ...headers.map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...(rows.length
          ? rows
          : [
              h(
                'tr',
                {},
                h(
                  'td',
                  { colspan: headers.length, class: 'empty' },
                  list.length ? 'No match.' : 'No instances yet.',
                ),
              ),
            ]),
      ),
    )
    replace(body, tbl)
  }

  const refresh = async () => {
    try {
      list = await get<Instance[]>('/1.0/instances?recursion=2')
      draw()
    } catch (err) {
      replace(
        body,
        notice('error', err instanceof ApiFailure ? `${err.message} (${err.status})` : String(err)),
      )
    }
  }
  filter.addEventListener('input', draw)
  replace(
    root,
    h('h1', {}, 'Instances'),
    h(
      'div',
      { class: 'toolbar' },
      filter,
      bulk('start'),
      bulk('stop'),
      h('label', { for: 'bulk-force' }, force, ' force'),
      h('a', { href: href('/create'), class: 'button primary' }, 'Create instance'),
    ),
    body,
  )
  void refresh()
  const timer = setInterval(() => void refresh(), 3000)
  return () => clearInterval(timer)
}
