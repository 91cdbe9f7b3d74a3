/**
 * @module The UI's entry: asks the server whether this browser's certificate is trusted, then
 * shows either the onboarding page or the app (navigation, project switcher, routed pages).
 */
import './style.css'
import { get, useProject } from './api.js'
import { h, messageOf, notice, replace } from './dom.js'
import { stampStyleNonces } from './nonce.js'
import { auditPage } from './pages/audit.js'
import { createPage } from './pages/create.js'
import { instancePage } from './pages/instance.js'
import { instancesPage } from './pages/instances.js'
import { onboarding } from './pages/onboarding.js'
import { operationsPage } from './pages/operations.js'
import { imagesPage, networkPage, networksPage, storagePage, warningsPage } from './pages/resources.js'
import { href, navigate, route, start } from './router.js'
import type { Project, Server } from './types.js'

stampStyleNonces()

const nav: [string, string][] = [
  ['/instances', 'Instances'],
  ['/create', 'Create'],
  ['/images', 'Images'],
  ['/networks', 'Networks'],
  ['/storage', 'Storage'],
  ['/warnings', 'Warnings'],
  ['/audit', 'Security audit'],
  ['/operations', 'Operations'],
]

route('/', () => navigate('/ui/instances', true))
route('/instances', instancesPage)
route('/instances/:name/:tab?', instancePage)
route('/create', createPage)
route('/images', imagesPage)
route('/networks', networksPage)
route('/networks/:name', networkPage)
route('/storage', storagePage)
route('/warnings', warningsPage)
route('/audit', auditPage)
route('/operations', operationsPage)

/** The project switcher: the projects this certificate may see (a restricted one sees its own). */
function switcher(projects: Project[], current: string): HTMLElement {
  const select = h('select', { id: 'project', 'aria-label': 'Project' })
  for (const p of projects)
    select.append(h('option', { value: p.name, selected: p.name === current }, p.name))
  select.addEventListener('change', () => {
    const q = select.value === 'default' ? '' : `?project=${encodeURIComponent(select.value)}`
    // A full load: every page and cached list re-reads the project from the URL.
    location.assign(`/ui/instances${q}`)
  })
  return h('label', { class: 'switcher' }, 'Project ', select)
}

async function boot(app: HTMLElement): Promise<void> {
  const server = await get<Server>('/1.0', { project: null })
  if (server.auth !== 'trusted') return onboarding(app)
  const projects = await get<Project[]>('/1.0/projects?recursion=1', { project: null })
  const asked = new URLSearchParams(location.search).get('project')
  const names = projects.map((p) => p.name)
  const current =
    asked && names.includes(asked) ? asked : names.includes('default') ? 'default' : (names[0] ?? 'default')
  useProject(current)
  if (asked !== current && !(asked === null && current === 'default')) {
    const url = new URL(location.href)
    url.searchParams.set('project', current)
    history.replaceState(null, '', url)
  }
  const links = nav.map(([path, label]) => h('a', { href: href(path), 'data-path': path }, label))
  const main = h('main', { id: 'main', tabindex: -1 })
  replace(
    app,
    h('a', { href: '#main', class: 'skip' }, 'Skip to content'),
    h(
      'header',
      { class: 'top' },
      h('span', { class: 'brand' }, 'Corral'),
      h('span', { class: 'muted' }, server.environment?.server_name ?? ''),
      switcher(projects, current),
    ),
    h('nav', { class: 'side', 'aria-label': 'Main' }, ...links),
    main,
    h('div', { id: 'toasts', class: 'toasts' }),
  )
  start(main, (path) => {
    for (const a of links) {
      const p = a.dataset.path ?? ''
      if (path === p || path.startsWith(`${p}/`)) a.setAttribute('aria-current', 'page')
      else a.removeAttribute('aria-current')
    }
  })
}

const app = document.getElementById('app')!
boot(app).catch((err: unknown) => replace(app, notice('error', `Cannot reach the server: ${messageOf(err)}`)))
