/** @module An in-memory Client for tier-1 tests: profiles, projects, operations, server config, events. */
/* eslint-disable @typescript-eslint/require-await -- the fake implements an async interface synchronously */
import {
  ApiError,
  syncEnvelope,
  type Certificate,
  type Envelope,
  type Event,
  type Operation,
  type Profile,
  type Project,
  type Server,
} from '@corral/api'
import { connect, type Client, type EventStream, type ListenOptions } from '@corral/client'
import { fakeCertificates } from './fake-certificates.js'
import { fakeLxd, fakeTransport, type FakeLxd } from './fake-lxd.js'

/** One recorded request (method, path, body, If-Match). */
export interface Call {
  method: string
  path: string
  body?: unknown
  etag?: string
}

/** The fake server's state, shared by every project-scoped view of it. */
export interface FakeState {
  profiles: Map<string, Map<string, Profile>>
  projects: Map<string, Project>
  operations: Operation[]
  server: Server
  serverEtag: string
  calls: Call[]
  events: Event[]
  /** When set, every request fails as if the socket were missing. */
  down?: boolean
  /** Raw query answers by `METHOD path`. */
  queries: Map<string, Envelope>
  /** Instances, images, pools and exec, served through a fake transport. */
  lxd: FakeLxd
  /** The trust store. */
  certificates: Certificate[]
  /** The server certificate's fingerprint (named by tokens). */
  fingerprint: string
  /** The addresses tokens name. */
  addresses: string[]
}

/** A fresh state: the default project and profile, an empty server config. */
export function fakeState(): FakeState {
  const defaultProfile: Profile = {
    name: 'default',
    description: 'Default LXD profile',
    config: {},
    devices: {},
    used_by: [],
  }
  return {
    profiles: new Map([['default', new Map([['default', defaultProfile]])]]),
    projects: new Map([
      [
        'default',
        {
          name: 'default',
          description: 'Default LXD project',
          config: {
            'features.images': 'true',
            'features.profiles': 'true',
            'features.storage.volumes': 'true',
            'features.networks': 'true',
          },
          used_by: ['/1.0/profiles/default'],
        },
      ],
    ]),
    operations: [],
    server: {
      config: {},
      api_extensions: ['etag'],
      api_status: 'stable',
      api_version: '1.0',
      auth: 'trusted',
      public: false,
      auth_methods: ['tls'],
      auth_user_name: 'root',
      auth_user_method: 'unix',
      environment: {
        server_version: '0.1.0',
        server_support_end: '2027-01-31',
        server_lts: false,
      } as Server['environment'],
    },
    serverEtag: 'etag-0',
    calls: [],
    events: [],
    queries: new Map(),
    lxd: fakeLxd(),
    certificates: [],
    fingerprint: 'f'.repeat(64),
    addresses: ['127.0.0.1:8443'],
  }
}

const clone = <T>(v: T): T => structuredClone(v)

function checkEtag(given: string | undefined, current: string): void {
  if (given !== undefined && given !== current) throw new ApiError(412, "ETag doesn't match")
}

const etagOf = (v: unknown): string => `etag-${JSON.stringify(v).length}`

/** A Client over the fake state, scoped to `project`; `viewer` is the caller's client certificate ('unix': the socket). */
export function fakeClient(state: FakeState, project = 'default', viewer = 'unix'): Client {
  const record = (c: Call): void => {
    if (state.down)
      throw new Error(
        'Get "http://unix.socket/1.0": dial unix /x/unix.socket: connect: no such file or directory',
      )
    state.calls.push(c)
  }
  const profiles = (): Map<string, Profile> => {
    const p = state.profiles.get(project)
    if (!p) throw new ApiError(404, 'Project not found')
    return p
  }
  const profile = (name: string): Profile => {
    const p = profiles().get(name)
    if (!p) throw new ApiError(404, 'Profile not found')
    return p
  }
  const projectOf = (name: string): Project => {
    const p = state.projects.get(name)
    if (!p) throw new ApiError(404, 'Project not found')
    return p
  }
  const op = (id: string): Operation => {
    const o = state.operations.find((x) => x.id === id)
    if (!o) throw new ApiError(404, 'Operation not found')
    return o
  }
  const viaTransport = connect(fakeTransport(state.lxd), { project })
  return {
    project,
    withProject: (p) => fakeClient(state, p, viewer),
    certificates: fakeCertificates(state, viewer, record),
    instances: viaTransport.instances,
    images: viaTransport.images,
    storagePools: viaTransport.storagePools,
    networks: viaTransport.networks,
    warnings: viaTransport.warnings,
    security: viaTransport.security,
    attachExec: (op, io) => viaTransport.attachExec(op, io),
    server: {
      async get() {
        record({ method: 'GET', path: '/1.0' })
        const trusted = viewer === 'unix' || state.certificates.some((c) => c.certificate === viewer)
        const server = clone(state.server)
        if (!trusted) {
          server.auth = 'untrusted'
          delete (server as Partial<Server>).environment
        }
        return { server, etag: state.serverEtag }
      },
      async put(body, etag) {
        record({ method: 'PUT', path: '/1.0', body, etag })
        checkEtag(etag, state.serverEtag)
        state.server.config = Object.fromEntries(Object.entries(body.config).filter(([, v]) => v !== ''))
        state.serverEtag = etagOf(state.server.config)
      },
      async patch(body, etag) {
        record({ method: 'PATCH', path: '/1.0', body, etag })
        state.server.config = { ...state.server.config, ...body.config }
      },
    },
    profiles: {
      async list() {
        record({ method: 'GET', path: '/1.0/profiles?recursion=1' })
        return clone([...profiles().values()])
      },
      async get(name) {
        record({ method: 'GET', path: `/1.0/profiles/${name}` })
        const p = profile(name)
        return { profile: clone(p), etag: etagOf(p) }
      },
      async create(body) {
        record({ method: 'POST', path: '/1.0/profiles', body })
        if (profiles().has(body.name))
          throw new ApiError(409, `Error inserting "${body.name}" into database: The profile already exists`)
        profiles().set(body.name, { ...clone(body), used_by: [] })
      },
      async put(name, body, etag) {
        record({ method: 'PUT', path: `/1.0/profiles/${name}`, body, etag })
        const p = profile(name)
        checkEtag(etag, etagOf(p))
        profiles().set(name, { ...p, ...clone(body) })
      },
      async patch(name, body, etag) {
        record({ method: 'PATCH', path: `/1.0/profiles/${name}`, body, etag })
        profiles().set(name, { ...profile(name), ...clone(body) })
      },
      async rename(name, newName) {
        record({ method: 'POST', path: `/1.0/profiles/${name}`, body: { name: newName } })
        const p = profile(name)
        profiles().delete(name)
        profiles().set(newName, { ...p, name: newName })
      },
      async delete(name) {
        record({ method: 'DELETE', path: `/1.0/profiles/${name}` })
        profile(name)
        profiles().delete(name)
      },
    },
    projects: {
      async list() {
        record({ method: 'GET', path: '/1.0/projects?recursion=1' })
        return clone([...state.projects.values()])
      },
      async get(name) {
        record({ method: 'GET', path: `/1.0/projects/${name}` })
        const p = projectOf(name)
        return { project: clone(p), etag: etagOf(p) }
      },
      async create(body) {
        record({ method: 'POST', path: '/1.0/projects', body })
        if (state.projects.has(body.name)) throw new ApiError(409, `Project "${body.name}" already exists`)
        state.projects.set(body.name, { ...clone(body), used_by: [] })
        state.profiles.set(body.name, new Map())
      },
      async put(name, body, etag) {
        record({ method: 'PUT', path: `/1.0/projects/${name}`, body, etag })
        const p = projectOf(name)
        checkEtag(etag, etagOf(p))
        const config = Object.fromEntries(Object.entries(body.config).filter(([, v]) => v !== ''))
        state.projects.set(name, { ...p, ...clone(body), config })
      },
      async patch(name, body) {
        record({ method: 'PATCH', path: `/1.0/projects/${name}`, body })
        state.projects.set(name, { ...projectOf(name), ...clone(body) })
      },
      async rename(name, newName) {
        record({ method: 'POST', path: `/1.0/projects/${name}`, body: { name: newName } })
        const p = projectOf(name)
        state.projects.delete(name)
        state.projects.set(newName, { ...p, name: newName })
      },
      async delete(name) {
        record({ method: 'DELETE', path: `/1.0/projects/${name}` })
        if (name === 'default') throw new ApiError(403, "The 'default' project cannot be deleted")
        projectOf(name)
        state.projects.delete(name)
      },
    },
    operations: {
      async list() {
        record({ method: 'GET', path: '/1.0/operations?recursion=1' })
        return clone(state.operations)
      },
      async listGrouped() {
        record({ method: 'GET', path: '/1.0/operations?recursion=1' })
        const out: Record<string, Operation[]> = {}
        for (const o of state.operations) (out[o.status.toLowerCase()] ??= []).push(clone(o))
        return out
      },
      async get(id) {
        record({ method: 'GET', path: `/1.0/operations/${id}` })
        return clone(op(id))
      },
      async wait(id) {
        record({ method: 'GET', path: `/1.0/operations/${id}/wait` })
        return clone(op(id))
      },
      async cancel(id) {
        record({ method: 'DELETE', path: `/1.0/operations/${id}` })
        const o = op(id)
        if (!o.may_cancel) throw new ApiError(403, 'Only running operations can be cancelled')
        o.status = 'Cancelled'
        o.status_code = 401
      },
    },
    async query(method, path, body) {
      record({ method, path, body })
      const answer = state.queries.get(`${method} ${path}`)
      if (!answer) throw new ApiError(404, 'not found')
      if (answer.type === 'error') throw new ApiError(answer.error_code, answer.error)
      return { envelope: clone(answer) }
    },
    async events(opts?: ListenOptions): Promise<EventStream> {
      record({ method: 'GET', path: `/1.0/events?type=${(opts?.types ?? []).join(',')}` })
      const events = clone(state.events)
      let close: (reason: string) => void = () => {}
      const closed = new Promise<string>((resolve) => (close = resolve))
      return {
        onEvent(handler) {
          setImmediate(() => {
            for (const e of events) handler(e)
            close('')
          })
        },
        closed,
        close: () => close(''),
      }
    },
  }
}

/** A sync envelope for `state.queries`. */
export const sync = <T>(metadata: T): Envelope<T> => syncEnvelope(metadata)
