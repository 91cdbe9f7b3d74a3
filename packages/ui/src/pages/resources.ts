/** @module The list pages: images, networks (with leases), storage pools (and volumes), warnings. */
import { ApiFailure, get } from '../api.js'
import { badge, bytes, h, link, messageOf, notice, replace, table, when } from '../dom.js'
import { href, type Page } from '../router.js'
import type { Image } from '../types.js'

/** Loads data into a page section, showing the API's error in place (features a server lacks say so). */
function section<T>(el: HTMLElement, path: string, draw: (data: T) => Node, missing?: string): void {
  replace(el, 'Loading…')
  get<T>(path).then(
    (data) => replace(el, draw(data)),
    (err: unknown) =>
      replace(
        el,
        err instanceof ApiFailure && err.status === 404 && missing
          ? notice('info', `${missing} (the API answered 404: ${err.message})`)
          : notice('error', messageOf(err)),
      ),
  )
}

/** Images. */
export const imagesPage: Page = (root) => {
  const body = h('div')
  replace(root, h('h1', {}, 'Images'), body)
  section<Image[]>(body, '/1.0/images?recursion=1', (images) =>
    table(
      ['Alias', 'Fingerprint', 'Description', 'Architecture', 'Type', 'Size', 'Uploaded'],
      images.map((i) => [
        i.aliases.map((a) => a.name).join(', ') || '–',
        h('code', {}, i.fingerprint.slice(0, 12)),
        i.properties.description ?? '',
        i.architecture,
        i.type,
        bytes(i.size),
        when(i.uploaded_at),
      ]),
      'No images.',
    ),
  )
}

interface Network {
  name: string
  type: string
  managed: boolean
  status: string
  config: Record<string, string>
  used_by: string[] | null
}

/** Networks; a managed one links to its leases. */
export const networksPage: Page = (root) => {
  const body = h('div')
  replace(root, h('h1', {}, 'Networks'), body)
  section<Network[]>(body, '/1.0/networks?recursion=1', (nets) =>
    table(
      ['Name', 'Type', 'Managed', 'IPv4', 'IPv6', 'State', 'Used by'],
      nets.map((n) => [
        n.managed ? link(href(`/networks/${encodeURIComponent(n.name)}`), n.name) : n.name,
        n.type,
        n.managed ? 'yes' : 'no',
        n.config['ipv4.address'] ?? '–',
        n.config['ipv6.address'] ?? '–',
        n.status ? badge(n.status) : '–',
        String(n.used_by?.length ?? 0),
      ]),
    ),
  )
}

/** One network's DHCP leases. */
export const networkPage: Page = (root, params) => {
  const name = params.name!
  const body = h('div')
  replace(root, h('h1', {}, link(href('/networks'), 'Networks'), ' / ', name), h('h2', {}, 'Leases'), body)
  section<{ hostname: string; hwaddr: string; address: string; type: string; project?: string }[]>(
    body,
    `/1.0/networks/${encodeURIComponent(name)}/leases`,
    (leases) =>
      table(
        ['Hostname', 'MAC address', 'IP address', 'Type', 'Project'],
        leases.map((l) => [l.hostname, l.hwaddr, l.address, l.type, l.project ?? '']),
        'No leases.',
      ),
  )
}

interface Pool {
  name: string
  driver: string
  status: string
  description: string
  config: Record<string, string>
  used_by: string[] | null
}

/** Storage pools with their usage, and their custom volumes where the server has them. */
export const storagePage: Page = (root) => {
  const body = h('div')
  replace(root, h('h1', {}, 'Storage pools'), body)
  section<Pool[]>(body, '/1.0/storage-pools?recursion=1', (pools) => {
    const wrap = h('div')
    for (const p of pools) {
      const usage = h('span', {}, '…')
      const volumes = h('div')
      wrap.append(
        h(
          'section',
          { class: 'card' },
          h('h2', {}, p.name, ' ', badge(p.status || 'Created')),
          h(
            'p',
            {},
            `Driver ${p.driver}, source ${p.config.source ?? '–'}, used by ${p.used_by?.length ?? 0}. Space: `,
            usage,
          ),
          h('h3', {}, 'Volumes'),
          volumes,
        ),
      )
      get<{ space: { used: number; total: number } }>(
        `/1.0/storage-pools/${encodeURIComponent(p.name)}/resources`,
        { project: null },
      ).then(
        (r) => replace(usage, `${bytes(r.space.used)} of ${bytes(r.space.total)}`),
        (err: unknown) => replace(usage, messageOf(err)),
      )
      section<
        {
          name: string
          type: string
          content_type: string
          config: Record<string, string>
          used_by: string[] | null
        }[]
      >(
        volumes,
        `/1.0/storage-pools/${encodeURIComponent(p.name)}/volumes?recursion=1`,
        (vols) =>
          table(
            ['Name', 'Type', 'Content', 'Size', 'Used by'],
            vols.map((v) => [
              v.name,
              v.type,
              v.content_type,
              v.config.size ?? '–',
              String(v.used_by?.length ?? 0),
            ]),
            'No volumes.',
          ),
        'This server does not offer custom volumes',
      )
    }
    return wrap
  })
}

interface Warning {
  uuid: string
  type: string
  status: string
  severity: string
  project: string
  entity_url: string
  last_message: string
  count: number
  last_seen_at: string
}

/** Warnings. */
export const warningsPage: Page = (root) => {
  const body = h('div')
  replace(root, h('h1', {}, 'Warnings'), body)
  section<Warning[]>(body, '/1.0/warnings?recursion=1', (ws) =>
    table(
      ['Severity', 'Type', 'Status', 'Message', 'Count', 'Last seen', 'Project'],
      ws.map((w) => [
        badge(w.severity),
        w.type,
        w.status,
        w.last_message,
        String(w.count),
        when(w.last_seen_at),
        w.project || '–',
      ]),
      'No warnings.',
    ),
  )
}
