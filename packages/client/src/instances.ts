/** @module /1.0/instances: list, get, create, update, state, rename, delete, snapshots, exec, files, logs. */
import type { Instance, InstanceFull, InstancePut, InstanceSnapshot, Operation } from '@corral/api'
import { runOperation, type ProgressHandler } from './operation-wait.js'
import { parseEnvelope, type Requester } from './requester.js'

/** Body of POST /1.0/instances (InstancesPost) as corral sends it. */
export interface InstancesPost extends Partial<InstancePut> {
  name: string
  type?: string
  source: InstanceSource
}

/** The `source` of POST /1.0/instances: a local image, or one pulled from another server. */
export interface InstanceSource {
  type: 'image' | 'none'
  alias?: string
  fingerprint?: string
  /** `pull` for an image on another server. */
  mode?: 'pull'
  /** `https://host:port` of the image server. */
  server?: string
  /** `lxd`. */
  protocol?: string
  /** The image server's certificate (PEM) the target pins. */
  certificate?: string
  /** An image secret for a private image. */
  secret?: string
  /** The project on the image server. */
  project?: string
}

/** Body of POST /1.0/instances/{name}/exec. */
export interface ExecPost {
  command: string[]
  environment: Record<string, string>
  'wait-for-websocket': boolean
  interactive: boolean
  'record-output': boolean
  width: number
  height: number
  cwd?: string
  user?: number
  group?: number
}

/** A file pulled out of an instance. */
export interface PulledFile {
  type: 'file' | 'directory' | 'symlink'
  uid: number
  gid: number
  mode: number
  /** File content, or the symlink target. */
  content: Buffer
  /** Directory entries. */
  entries: string[]
}

/** Options of a file push. */
export interface PushOptions {
  type?: 'file' | 'directory' | 'symlink'
  uid?: number
  gid?: number
  mode?: number
  write?: 'overwrite' | 'append'
}

/** Instance endpoints bound to one requester. */
export interface InstancesApi {
  /** GET /1.0/instances?recursion=2 (with `filter` when given). */
  listFull(filter?: string): Promise<InstanceFull[]>
  /** GET /1.0/instances/{name}, with its ETag. */
  get(name: string): Promise<{ instance: Instance; etag?: string }>
  /** GET /1.0/instances/{name}?recursion=2. */
  getFull(name: string): Promise<InstanceFull>
  /** POST /1.0/instances and waits. */
  create(body: InstancesPost, onProgress?: ProgressHandler): Promise<void>
  /** PUT /1.0/instances/{name} and waits. */
  put(name: string, body: InstancePut, etag?: string): Promise<void>
  /** PUT /1.0/instances/{name}/state and waits. */
  setState(
    name: string,
    body: { action: string; timeout: number; force: boolean; stateful: boolean },
  ): Promise<void>
  /** POST /1.0/instances/{name} with a new name, and waits. */
  rename(name: string, newName: string): Promise<void>
  /** DELETE /1.0/instances/{name} and waits. */
  delete(name: string): Promise<void>
  /** GET /1.0/instances/{name}/snapshots?recursion=1. */
  snapshots(name: string): Promise<InstanceSnapshot[]>
  /** GET /1.0/instances/{name}/snapshots/{snap}. */
  snapshot(name: string, snapshot: string): Promise<InstanceSnapshot>
  /** POST /1.0/instances/{name}/snapshots and waits. */
  createSnapshot(name: string, snapshot: string, stateful?: boolean): Promise<void>
  /** POST /1.0/instances/{name}/snapshots/{snap} (rename) and waits. */
  renameSnapshot(name: string, snapshot: string, newName: string): Promise<void>
  /** DELETE /1.0/instances/{name}/snapshots/{snap} and waits. */
  deleteSnapshot(name: string, snapshot: string): Promise<void>
  /** POST /1.0/instances/{name}/exec: returns the operation (not waited for). */
  exec(name: string, body: ExecPost): Promise<Operation>
  /** GET /1.0/instances/{name}/files?path=. */
  pullFile(name: string, path: string): Promise<PulledFile>
  /** POST /1.0/instances/{name}/files?path=. */
  pushFile(name: string, path: string, content: Buffer, opts?: PushOptions): Promise<void>
  /** DELETE /1.0/instances/{name}/files?path=. */
  deleteFile(name: string, path: string): Promise<void>
  /** GET /1.0/instances/{name}/logs/{file}. */
  logFile(name: string, file: string): Promise<string>
  /** GET /1.0/instances/{name}/console, else the console.log file of /logs. */
  consoleLog(name: string): Promise<string>
}

const path = (name: string): string => `/1.0/instances/${encodeURIComponent(name)}`
const filePath = (name: string, p: string): string => `${path(name)}/files?path=${encodeURIComponent(p)}`

/** Builds the instance endpoints. */
export function instancesApi(r: Requester): InstancesApi {
  const raw = async (method: string, target: string, headers?: Record<string, string>, body?: Buffer) => {
    const res = await r.transport.raw({ method, path: r.scoped(target), headers, body })
    const type = String(res.headers['content-type'] ?? '')
    if (res.status >= 400 || type.startsWith('application/json')) {
      const env = parseEnvelope<unknown>(res.body.toString(), res.status)
      return { res, metadata: env.metadata }
    }
    return { res, metadata: undefined }
  }
  return {
    async listFull(filter) {
      const q = filter ? `&filter=${encodeURIComponent(filter)}` : ''
      return (await r.call<InstanceFull[]>('GET', `/1.0/instances?recursion=2${q}`)).metadata ?? []
    },
    async get(name) {
      const { metadata, etag } = await r.call<Instance>('GET', path(name))
      return { instance: metadata, etag }
    },
    async getFull(name) {
      return (await r.call<InstanceFull>('GET', `${path(name)}?recursion=2`)).metadata
    },
    async create(body, onProgress) {
      await runOperation(r, 'POST', '/1.0/instances', body, { onProgress })
    },
    async put(name, body, etag) {
      await runOperation(r, 'PUT', path(name), body, { etag })
    },
    async setState(name, body) {
      await runOperation(r, 'PUT', `${path(name)}/state`, body)
    },
    async rename(name, newName) {
      await runOperation(r, 'POST', path(name), { name: newName, migration: false })
    },
    async delete(name) {
      await runOperation(r, 'DELETE', path(name))
    },
    async snapshots(name) {
      return (await r.call<InstanceSnapshot[]>('GET', `${path(name)}/snapshots?recursion=1`)).metadata ?? []
    },
    async snapshot(name, snapshot) {
      const p = `${path(name)}/snapshots/${encodeURIComponent(snapshot)}`
      return (await r.call<InstanceSnapshot>('GET', p)).metadata
    },
    async createSnapshot(name, snapshot, stateful = false) {
      await runOperation(r, 'POST', `${path(name)}/snapshots`, { name: snapshot, stateful })
    },
    async renameSnapshot(name, snapshot, newName) {
      await runOperation(r, 'POST', `${path(name)}/snapshots/${encodeURIComponent(snapshot)}`, {
        name: newName,
      })
    },
    async deleteSnapshot(name, snapshot) {
      await runOperation(r, 'DELETE', `${path(name)}/snapshots/${encodeURIComponent(snapshot)}`)
    },
    async exec(name, body) {
      const res = await r.send<Operation>('POST', `${path(name)}/exec`, body)
      return res.envelope.metadata as Operation
    },
    async pullFile(name, p) {
      const { res, metadata } = await raw('GET', filePath(name, p))
      const h = (k: string): string => String(res.headers[k] ?? '')
      const type = (h('x-lxd-type') || 'file') as PulledFile['type']
      return {
        type,
        uid: Number(h('x-lxd-uid') || 0),
        gid: Number(h('x-lxd-gid') || 0),
        mode: parseInt(h('x-lxd-mode') || '0644', 8),
        content: type === 'directory' ? Buffer.alloc(0) : res.body,
        entries: type === 'directory' ? ((metadata as string[] | null) ?? []) : [],
      }
    },
    async pushFile(name, p, content, opts = {}) {
      const headers: Record<string, string> = {
        'Content-Type': 'application/octet-stream',
        'X-LXD-type': opts.type ?? 'file',
        'X-LXD-write': opts.write ?? 'overwrite',
      }
      if (opts.uid !== undefined) headers['X-LXD-uid'] = String(opts.uid)
      if (opts.gid !== undefined) headers['X-LXD-gid'] = String(opts.gid)
      if (opts.mode !== undefined) headers['X-LXD-mode'] = opts.mode.toString(8).padStart(4, '0')
      await raw('POST', filePath(name, p), headers, content)
    },
    async deleteFile(name, p) {
      await r.call('DELETE', filePath(name, p))
    },
    async logFile(name, file) {
      return (await raw('GET', `${path(name)}/logs/${encodeURIComponent(file)}`)).res.body.toString()
    },
    async consoleLog(name) {
      const { res } = await raw('GET', `${path(name)}/console`).catch(async (err: unknown) => {
        if ((err as { status?: number }).status !== 404) throw err
        return raw('GET', `${path(name)}/logs/console.log`)
      })
      return res.body.toString()
    },
  }
}
