/**
 * @module The UI's own small component set: an element builder and the few widgets the pages
 * share (buttons, tables, badges, notices, tabs, sparklines). Plain DOM keeps the bundle small
 * and the CSP strict: no framework runtime, no inline style attributes, no HTML strings.
 */

type Child = Node | string | number | false | null | undefined
type Attrs = Record<string, string | number | boolean | EventListener | undefined>

/** Builds an element: attributes (`on<event>` for listeners, booleans as presence), then children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value)
    else if (value === true) el.setAttribute(key, '')
    else el.setAttribute(key, String(value))
  }
  append(el, children)
  return el
}

/** Appends children, skipping empty ones. */
export function append(el: Element, children: Child[]): void {
  for (const c of children)
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c))
}

/** Replaces an element's children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren()
  append(el, children)
}

/** A button that disables itself while its async action runs and shows the action's error. */
export function button(
  label: string,
  action: () => unknown,
  opts: { kind?: 'primary' | 'danger'; title?: string; onError?: (err: unknown) => void } = {},
): HTMLButtonElement {
  const b = h('button', { type: 'button', class: opts.kind ?? '', title: opts.title }, label)
  b.addEventListener('click', () => {
    b.disabled = true
    void Promise.resolve()
      .then(action)
      .catch((err: unknown) => (opts.onError ?? showError)(err))
      .finally(() => (b.disabled = false))
  })
  return b
}

/** A link inside the app (the router intercepts it, so the URL is a real, reloadable one). */
export function link(href: string, ...children: Child[]): HTMLAnchorElement {
  return h('a', { href }, ...children)
}

/** A status badge, coloured by its class (running, stopped, frozen, error, warning…). */
export function badge(text: string): HTMLSpanElement {
  return h('span', { class: `badge ${text.toLowerCase().replace(/[^a-z]+/g, '-')}` }, text)
}

/** A table from column headers and rows of cells; an empty body says so. */
export function table(headers: Child[], rows: Child[][], empty = 'Nothing here yet.'): HTMLTableElement {
  const thead = h('thead', {}, h('tr', {}, ...headers.map((c) => h('th', { scope: 'col' }, c))))
  const body = rows.length
    ? rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))
    : [h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, empty))]
  return h('table', {}, thead, h('tbody', {}, ...body))
}

/** A notice box (role=alert for errors, so screen readers announce it). */
export function notice(kind: 'error' | 'info' | 'ok', ...children: Child[]): HTMLDivElement {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children)
}

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** Shows an error in the page's toast area. */
export function showError(err: unknown): void {
  toast('error', messageOf(err))
}

/** A transient message at the bottom of the page. */
export function toast(kind: 'error' | 'ok', text: string): void {
  const area = document.getElementById('toasts')
  if (!area) return
  const t = notice(kind, text)
  area.append(t)
  setTimeout(() => t.remove(), kind === 'error' ? 10_000 : 4000)
}

/** An SVG sparkline of the last values (0..max), drawn as a polyline. */
export function sparkline(values: readonly number[], max: number, label: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  const w = 80
  const hgt = 20
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`)
  svg.setAttribute('class', 'spark')
  svg.setAttribute('role', 'img')
  svg.setAttribute('aria-label', label)
  const title = document.createElementNS(ns, 'title')
  title.textContent = label
  svg.append(title)
  if (values.length > 1) {
    const step = w / (values.length - 1)
    const points = values.map((v, i) => {
      const y = hgt - 1 - (Math.min(v, max) / (max || 1)) * (hgt - 2)
      return `${(i * step).toFixed(1)},${y.toFixed(1)}`
    })
    const line = document.createElementNS(ns, 'polyline')
    line.setAttribute('points', points.join(' '))
    svg.append(line)
  }
  return svg
}

/** Tabs as a row of links (each tab is its own URL); `current` is marked for assistive tech. */
export function tabs(items: { label: string; href: string; id: string }[], current: string): HTMLElement {
  return h(
    'nav',
    { class: 'tabs', 'aria-label': 'Sections' },
    ...items.map((t) =>
      h('a', { href: t.href, 'aria-current': t.id === current ? 'page' : undefined }, t.label),
    ),
  )
}

/** Human-readable bytes. */
export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024
    i++
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

/** A date as the viewer's locale shows it ('–' for LXD's zero time). */
export function when(iso: string | undefined): string {
  if (!iso || iso.startsWith('0001-')) return '–'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString()
}
