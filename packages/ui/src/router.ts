/**
 * @module URL routing with the History API: every page has a real /ui/ URL (the daemon answers
 * any /ui/ path with the app), so reload, back and bookmarks work. Links are intercepted.
 */

/** A page: renders into `root` for the matched params; may return a cleanup (timers, sockets). */
export type Page = (root: HTMLElement, params: Record<string, string>) => void | (() => void)

interface Route {
  pattern: RegExp
  names: string[]
  page: Page
}

const routes: Route[] = []
let cleanup: (() => void) | undefined
let onChange: ((path: string) => void) | undefined

/** Declares a route: `/instances/:name/:tab?` style patterns below /ui. */
export function route(path: string, page: Page): void {
  const names: string[] = []
  const source = path.replace(/\/:(\w+)(\?)?/g, (_m, name: string, optional?: string) => {
    names.push(name)
    return optional ? '(?:/([^/]+))?' : '/([^/]+)'
  })
  routes.push({ pattern: new RegExp(`^${source}/?$`), names, page })
}

/** Navigates within the app (keeps the query string, which holds the project, unless given). */
export function navigate(to: string, replace = false): void {
  const url = new URL(to, location.href)
  if (!url.search && !to.includes('?')) url.search = location.search
  if (replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  render()
}

/** The path below /ui (`/instances/c1`). */
export function appPath(): string {
  return location.pathname.replace(/^\/ui/, '') || '/'
}

/** An href for an app path, keeping the project query. */
export function href(path: string): string {
  return `/ui${path}${location.search}`
}

let root: HTMLElement

/** Starts routing into `el`; `changed` runs after every navigation (the nav highlights). */
export function start(el: HTMLElement, changed: (path: string) => void): void {
  root = el
  onChange = changed
  window.addEventListener('popstate', render)
  document.addEventListener('click', (e) => {
    const a = (e.target as Element | null)?.closest?.('a')
    if (!a || a.target || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
    const url = new URL(a.href, location.href)
    if (url.origin !== location.origin || !url.pathname.startsWith('/ui/')) return
    e.preventDefault()
    navigate(url.pathname + url.search)
  })
  render()
}

/** Renders the page for the current URL. */
export function render(): void {
  cleanup?.()
  cleanup = undefined
  const path = appPath()
  root.replaceChildren()
  for (const r of routes) {
    const m = r.pattern.exec(path)
    if (!m) continue
    const params: Record<string, string> = {}
    r.names.forEach((n, i) => {
      if (m[i + 1] !== undefined) params[n] = decodeURIComponent(m[i + 1]!)
    })
    cleanup = r.page(root, params) ?? undefined
    // A page may have navigated on (/ → /instances): report where we are now.
    if (appPath() === path) onChange?.(path)
    return
  }
  root.append(document.createTextNode(`No page at ${path}`))
  onChange?.(path)
}
