/** @module An in-memory LXD behind a fake Transport: instances, snapshots, images, pools, exec websockets, files. */
/* eslint-disable @typescript-eslint/require-await -- handlers implement an async interface synchronously */
import {
  ApiError,
  syncEnvelope,
  type Image,
  type InstanceFull,
  type Operation,
  type StoragePool,
} from '@corral/api'
import type {
  BinarySocket,
  RawRequest,
  RawResponse,
  Transport,
  TransportRequest,
  TransportResponse,
} from '@corral/client'
import type { Call } from './fake-client.js'
import { routeNetworks } from './fake-networks.js'

/** A scripted exec: what the command writes and how it exits. */
export interface ExecScript {
  stdout?: string
  stderr?: string
  code: number
}

/** The fake LXD's state. */
export interface FakeLxd {
  instances: Map<string, InstanceFull>
  images: Image[]
  pools: StoragePool[]
  files: Map<string, { content: Buffer; mode: number; uid: number; gid: number }>
  operations: Map<string, Operation>
  /** The next exec's behaviour. */
  exec: ExecScript
  /** Bytes the exec received on stdin, and control messages. */
  execInput: string[]
  execControl: string[]
  calls: Call[]
  /** When set, the next instance PUT's operation fails with this error. */
  failNextOperation?: string
  /** The secrets of the exec waiting for its sockets. */
  pendingFds: string[]
}

/** A fresh fake LXD. */
export function fakeLxd(): FakeLxd {
  return {
    instances: new Map(),
    images: [],
    pools: [],
    files: new Map(),
    operations: new Map(),
    exec: { code: 0 },
    execInput: [],
    execControl: [],
    calls: [],
    pendingFds: [],
  }
}

let opCounter = 0

function operation(lxd: FakeLxd, metadata: Record<string, unknown> | null, cls = 'task'): Operation {
  const id = `op-${++opCounter}`
  const op = {
    id,
    class: cls,
    description: '',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    status: 'Success',
    status_code: 200,
    resources: null,
    metadata,
    may_cancel: false,
    err: '',
    location: 'none',
  } as unknown as Operation
  lxd.operations.set(id, op)
  return op
}

const ok = (metadata: unknown, headers: Record<string, string> = {}): TransportResponse => ({
  status: 200,
  headers,
  body: JSON.stringify(syncEnvelope(metadata)),
})
const asyncOk = (op: Operation): TransportResponse => ({
  status: 202,
  headers: {},
  body: JSON.stringify({
    type: 'async',
    status: 'Operation created',
    status_code: 100,
    operation: `/1.0/operations/${op.id}`,
    error_code: 0,
    error: '',
    metadata: op,
  }),
})
const fail = (err: ApiError): TransportResponse => ({
  status: err.status,
  headers: {},
  body: JSON.stringify({
    type: 'error',
    status: '',
    status_code: 0,
    operation: '',
    error_code: err.status,
    error: err.message,
    metadata: null,
  }),
})

function instance(lxd: FakeLxd, name: string): InstanceFull {
  const i = lxd.instances.get(name)
  if (!i) throw new ApiError(404, 'Instance not found')
  return i
}

function route(lxd: FakeLxd, method: string, url: URL, body: unknown): TransportResponse {
  const p = url.pathname
  const b = (body ?? {}) as Record<string, unknown>
  let m: RegExpExecArray | null
  const network = routeNetworks(lxd, method, p, b)
  if (network) return network
  if (p === '/1.0/instances' && method === 'GET') return ok([...lxd.instances.values()])
  if ((m = /^\/1\.0\/operations\/([^/]+)\/wait$/.exec(p))) {
    const op = lxd.operations.get(m[1]!)
    if (!op) throw new ApiError(404, 'Operation not found')
    return ok(op)
  }
  if ((m = /^\/1\.0\/instances\/([^/]+)$/.exec(p))) {
    const i = instance(lxd, decodeURIComponent(m[1]!))
    if (method === 'GET') return ok(i, { etag: 'e1' })
    if (method === 'PUT') {
      if (typeof b.restore === 'string' && b.restore) return asyncOk(operation(lxd, null))
      Object.assign(i, b)
      return asyncOk(operation(lxd, null))
    }
    if (method === 'DELETE') {
      if (i.status === 'Running') throw new ApiError(400, 'Instance is running')
      lxd.instances.delete(i.name)
      return asyncOk(operation(lxd, null))
    }
    if (method === 'POST') {
      lxd.instances.delete(i.name)
      lxd.instances.set(String(b.name), { ...i, name: String(b.name) })
      return asyncOk(operation(lxd, null))
    }
  }
  if ((m = /^\/1\.0\/instances\/([^/]+)\/state$/.exec(p))) {
    const i = instance(lxd, decodeURIComponent(m[1]!))
    if (lxd.failNextOperation) {
      const op = operation(lxd, null)
      Object.assign(op, { status: 'Failure', status_code: 400, err: lxd.failNextOperation })
      lxd.failNextOperation = ''
      return asyncOk(op)
    }
    i.status = b.action === 'stop' ? 'Stopped' : 'Running'
    i.status_code = b.action === 'stop' ? 102 : 103
    return asyncOk(operation(lxd, null))
  }
  if ((m = /^\/1\.0\/instances\/([^/]+)\/snapshots(?:\/([^/]+))?$/.exec(p))) {
    const i = instance(lxd, decodeURIComponent(m[1]!))
    if (method === 'GET' && m[2]) {
      const snap = i.snapshots?.find((s) => s.name === decodeURIComponent(m![2]!))
      if (!snap) throw new ApiError(404, 'Snapshot not found')
      return ok(snap)
    }
    const snaps = (i.snapshots ??= [])
    if (method === 'POST' && !m[2]) {
      const name = String(b.name) || `snap${snaps.length}`
      snaps.push({ ...newInstance(name), name, expires_at: '0001-01-01T00:00:00Z', size: 0 })
    } else if (method === 'POST') {
      const s = snaps.find((x) => x.name === decodeURIComponent(m![2]!))
      if (s) s.name = String(b.name)
    } else if (method === 'DELETE') i.snapshots = snaps.filter((x) => x.name !== decodeURIComponent(m![2]!))
    return asyncOk(operation(lxd, null))
  }
  if ((m = /^\/1\.0\/instances\/([^/]+)\/exec$/.exec(p))) {
    const fds = b.interactive
      ? { '0': 's0', control: 'sc' }
      : { '0': 's0', '1': 's1', '2': 's2', control: 'sc' }
    lxd.pendingFds = Object.values(fds) as string[]
    return asyncOk(operation(lxd, { fds, return: lxd.exec.code }, 'websocket'))
  }
  if (p === '/1.0/instances' && method === 'POST') {
    const name = String(b.name)
    lxd.instances.set(name, newInstance(name, b))
    return asyncOk(operation(lxd, null))
  }
  if (p === '/1.0/images' && method === 'GET') return ok(lxd.images)
  if (p === '/1.0/images/aliases' && method === 'GET')
    return ok(
      lxd.images.flatMap((i) =>
        i.aliases.map((a) => ({
          name: a.name,
          description: a.description,
          target: i.fingerprint,
          type: 'container',
        })),
      ),
    )
  if ((m = /^\/1\.0\/images\/aliases\/([^/]+)$/.exec(p))) {
    const name = decodeURIComponent(m[1]!)
    const img = lxd.images.find((i) => i.aliases.some((a) => a.name === name))
    if (!img) throw new ApiError(404, 'Image alias not found')
    return ok({ name, description: '', target: img.fingerprint, type: 'container' })
  }
  if (p === '/1.0/images/aliases' && method === 'POST') return ok({})
  if (p === '/1.0/images' && method === 'POST') {
    const src = (b.source ?? {}) as Record<string, unknown>
    return asyncOk(operation(lxd, { fingerprint: src.fingerprint ?? '' }))
  }
  if ((m = /^\/1\.0\/images\/([^/]+)\/secret$/.exec(p)) && method === 'POST')
    return asyncOk(operation(lxd, { secret: `secret-of-${m[1]!}` }))
  if ((m = /^\/1\.0\/images\/([^/]+)$/.exec(p))) {
    const img = lxd.images.find((i) => i.fingerprint === m![1])
    if (!img) throw new ApiError(404, 'Image not found')
    return ok(img, { etag: 'i1' })
  }
  if (p === '/1.0/storage-pools' && method === 'GET') return ok(lxd.pools)
  if (p === '/1.0/storage-pools' && method === 'POST') return ok({})
  if (/^\/1\.0\/storage-pools\/[^/]+\/resources$/.test(p))
    return ok({ space: { used: 23771316224, total: 270549061632 }, inodes: { used: 0, total: 0 } })
  if ((m = /^\/1\.0\/storage-pools\/([^/]+)$/.exec(p))) {
    const pool = lxd.pools.find((x) => x.name === decodeURIComponent(m![1]!))
    if (!pool) throw new ApiError(404, 'Storage pool not found')
    return ok(pool, { etag: 'p1' })
  }
  throw new ApiError(404, 'not found')
}

/** A new instance as the fake creates it. */
export function newInstance(name: string, body: Record<string, unknown> = {}): InstanceFull {
  return {
    architecture: 'x86_64',
    config: (body.config as Record<string, string>) ?? {},
    devices: (body.devices as InstanceFull['devices']) ?? {},
    ephemeral: body.ephemeral === true,
    profiles: (body.profiles as string[]) ?? ['default'],
    stateful: false,
    description: '',
    created_at: '2026-01-02T03:04:05Z',
    expanded_config: (body.config as Record<string, string>) ?? {},
    expanded_devices: {
      root: { path: '/', pool: 'default', type: 'disk' },
      ...((body.devices as InstanceFull['devices']) ?? {}),
    },
    name,
    status: 'Stopped',
    status_code: 102,
    last_used_at: '0001-01-01T00:00:00Z',
    location: 'none',
    type: 'container',
    project: 'default',
    backups: null,
    state: {
      status: 'Stopped',
      status_code: 102,
      disk: {},
      memory: { usage: 0, usage_peak: 0, swap_usage: 0, swap_usage_peak: 0 },
      network: null,
      pid: 0,
      processes: 0,
      cpu: { usage: 0 },
    },
    snapshots: null,
  }
}

function memorySocket(onSend: (data: Buffer | string, binary: boolean) => void): BinarySocket & {
  deliver(data: Buffer, isBinary: boolean): void
  end(): void
} {
  let handler: ((d: Buffer, b: boolean) => void) | undefined
  const early: [Buffer, boolean][] = []
  let resolveClosed!: () => void
  const closed = new Promise<void>((r) => (resolveClosed = r))
  return {
    onMessage(h) {
      handler = h
      for (const [d, b] of early.splice(0)) h(d, b)
    },
    send: async (data, binary = true) => onSend(data, binary),
    closed,
    close: () => resolveClosed(),
    deliver: (d, b) => (handler ? handler(d, b) : early.push([d, b])),
    end: () => resolveClosed(),
  }
}

/** The fake Transport: JSON requests, raw file requests, and in-memory exec sockets. */
export function fakeTransport(lxd: FakeLxd): Transport {
  const handle = (method: string, path: string, body: unknown): TransportResponse => {
    lxd.calls.push({ method, path, ...(body === undefined ? {} : { body }) })
    try {
      return route(lxd, method, new URL(path, 'http://x'), body)
    } catch (err) {
      if (err instanceof ApiError) return fail(err)
      throw err
    }
  }
  const sockets = new Map<string, ReturnType<typeof memorySocket>>()
  return {
    base: 'http://unix.socket',
    request: async (req: TransportRequest) =>
      handle(req.method, req.path, req.body ? JSON.parse(req.body) : undefined),
    websocket: () => Promise.reject(new Error('no events in the fake')),
    async raw(req: RawRequest): Promise<RawResponse> {
      const url = new URL(req.path, 'http://x')
      const file = url.searchParams.get('path') ?? ''
      lxd.calls.push({ method: req.method, path: req.path, body: req.headers })
      if (req.method === 'POST' && url.pathname.endsWith('/files')) {
        const h = req.headers ?? {}
        lxd.files.set(file, {
          content: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          mode: parseInt(h['X-LXD-mode'] ?? '644', 8),
          uid: Number(h['X-LXD-uid'] ?? 0),
          gid: Number(h['X-LXD-gid'] ?? 0),
        })
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify(syncEnvelope({}))),
        }
      }
      if (req.method === 'GET' && url.pathname.endsWith('/files')) {
        const f = lxd.files.get(file)
        if (!f)
          return { status: 404, headers: {}, body: Buffer.from(fail(new ApiError(404, 'not found')).body) }
        const headers = {
          'x-lxd-type': 'file',
          'x-lxd-mode': f.mode.toString(8),
          'x-lxd-uid': String(f.uid),
          'x-lxd-gid': String(f.gid),
          'content-type': 'application/octet-stream',
        }
        return { status: 200, headers, body: f.content }
      }
      const res = handle(req.method, req.path, undefined)
      return { status: res.status, headers: res.headers, body: Buffer.from(res.body) }
    },
    async binarySocket(path: string) {
      const secret = new URL(path, 'http://x').searchParams.get('secret')!
      const s = memorySocket((data, binary) => {
        if (secret === 'sc') lxd.execControl.push(data.toString())
        else if (secret === 's0' && binary) lxd.execInput.push(data.toString())
      })
      sockets.set(secret, s)
      if (lxd.pendingFds.every((f) => sockets.has(f))) setImmediate(() => runExec(lxd, sockets))
      return s
    },
  }
}

function runExec(lxd: FakeLxd, sockets: Map<string, ReturnType<typeof memorySocket>>): void {
  const out = sockets.get('s1') ?? sockets.get('s0')!
  const err = sockets.get('s2')
  if (lxd.exec.stdout) out.deliver(Buffer.from(lxd.exec.stdout), true)
  if (lxd.exec.stderr && err) err.deliver(Buffer.from(lxd.exec.stderr), true)
  for (const s of [sockets.get('s1'), sockets.get('s2')]) {
    s?.deliver(Buffer.alloc(0), false)
    s?.end()
  }
  if (!sockets.has('s1')) sockets.get('s0')!.end()
}
