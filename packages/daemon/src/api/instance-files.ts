/** @module /1.0/instances/{name}/files and /logs: pull, push and delete paths; read recorded logs. */
import { createReadStream, existsSync, lstatSync, rmSync, statSync } from 'node:fs'
import { basename, join, posix } from 'node:path'
import type { Readable } from 'node:stream'
import { badRequest, notFound, syncEnvelope } from '@corral/api'
import { getInstance, type InstanceRecord } from '../db/instances.js'
import {
  deleteFile,
  fileTarget,
  pullFile,
  pushFile,
  type FileInfo,
  type FileTarget,
  type FileType,
  instanceLogFiles,
} from '../instance/container.js'
import type { State } from '../state.js'
import { loadPool } from '../storage/index.js'
import { can } from './access.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { empty, raw, sync } from './response.js'

function instanceOf(req: ApiRequest): InstanceRecord {
  return getInstance(req.state.db, req.project(), req.params.name!)
}

/** Where the instance's files are: running namespaces, else the rootfs on its pool. */
function targetOf(state: State, inst: InstanceRecord): Promise<FileTarget> {
  return fileTarget(state, inst, () => {
    const rootfs = join(loadPool(state, inst.pool).instancePath(inst.project, inst.name), 'rootfs')
    if (!existsSync(rootfs)) throw notFound('Instance root filesystem not found')
    // The helper chroots into it as root: a symlink here would be the host's tree.
    if (!lstatSync(rootfs).isDirectory()) throw badRequest('Instance root filesystem is not a directory')
    return rootfs
  })
}

function pathOf(req: ApiRequest): string {
  const path = req.query.get('path') ?? ''
  if (path === '') throw badRequest('Missing path argument')
  return posix.normalize(path.startsWith('/') ? path : `/${path}`)
}

function infoHeaders(info: FileInfo): Record<string, string> {
  return {
    'X-LXD-uid': String(info.uid),
    'X-LXD-gid': String(info.gid),
    'X-LXD-mode': info.mode.toString(8).padStart(4, '0'),
    'X-LXD-type': info.type,
  }
}

function intHeader(req: ApiRequest, name: string, base = 10): number | undefined {
  const v = req.headers[name.toLowerCase()]
  if (typeof v !== 'string' || v === '' || v === '-1') return undefined
  const n = parseInt(v, base)
  if (!Number.isInteger(n) || n < 0) throw badRequest(`Invalid value for header "${name}"`)
  return n
}

function pushType(req: ApiRequest): FileType {
  const type = (req.headers['x-lxd-type'] as string | undefined) || 'file'
  if (type !== 'file' && type !== 'directory' && type !== 'symlink')
    throw badRequest(`Bad file type: ${type}`)
  return type
}

function pushAppend(req: ApiRequest): boolean {
  const write = (req.headers['x-lxd-write'] as string | undefined) || 'overwrite'
  if (write !== 'overwrite' && write !== 'append') throw badRequest(`Bad file write mode: ${write}`)
  return write === 'append'
}

async function getFile(req: ApiRequest) {
  const inst = instanceOf(req)
  const path = pathOf(req)
  const pulled = await pullFile(req.state, await targetOf(req.state, inst), path)
  const headers = infoHeaders(pulled)
  if (pulled.type === 'directory') {
    const body = Buffer.from(JSON.stringify(syncEnvelope(pulled.entries)))
    return raw(body, { ...headers, 'Content-Type': 'application/json' })
  }
  const body: Buffer | Readable = pulled.type === 'symlink' ? Buffer.from(pulled.target) : pulled.content
  return raw(body, {
    ...headers,
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `inline;filename=${basename(path) || '/'}`,
  })
}

async function postFile(req: ApiRequest) {
  const inst = instanceOf(req)
  const path = pathOf(req)
  const opts = {
    type: pushType(req),
    mode: intHeader(req, 'X-LXD-mode', 8),
    uid: intHeader(req, 'X-LXD-uid'),
    gid: intHeader(req, 'X-LXD-gid'),
    append: pushAppend(req),
  }
  await pushFile(req.state, await targetOf(req.state, inst), path, opts, req.raw)
  return empty()
}

async function deletePath(req: ApiRequest) {
  const inst = instanceOf(req)
  await deleteFile(req.state, await targetOf(req.state, inst), pathOf(req))
  return empty()
}

function logFileOf(req: ApiRequest): { inst: InstanceRecord; file: string; path: string } {
  const inst = instanceOf(req)
  const file = req.params.file!
  if (!/^[A-Za-z0-9_.-]+$/.test(file) || file.startsWith('.'))
    throw badRequest(`Invalid log file name "${file}"`)
  const path = instanceLogFiles(req.state, inst).get(file)
  if (!path) throw notFound('Log file not found')
  return { inst, file, path }
}

/** The files and logs endpoints (index.ts adds the /1.0/containers aliases). */
export const instanceFileEndpoints = [
  endpoint('/1.0/instances/{name}/files', {
    get: { access: can('operate-containers'), handler: getFile },
    post: { access: can('operate-containers'), handler: postFile },
    delete: { access: can('operate-containers'), handler: deletePath },
  }),
  endpoint('/1.0/instances/{name}/logs', {
    get: {
      access: can('view'),
      handler: (req) => {
        const inst = instanceOf(req)
        return sync(
          [...instanceLogFiles(req.state, inst).keys()]
            .sort()
            .map((f) => `/1.0/instances/${inst.name}/logs/${f}`),
        )
      },
    },
  }),
  endpoint('/1.0/instances/{name}/logs/{file}', {
    get: {
      access: can('view'),
      handler: (req) => {
        const { file, path } = logFileOf(req)
        return raw(createReadStream(path), {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(statSync(path).size),
          'Content-Disposition': `inline;filename=${file}`,
        })
      },
    },
    delete: {
      access: can('operate-containers'),
      handler: (req) => {
        const { file, path } = logFileOf(req)
        if (!file.startsWith('exec_')) throw badRequest('Only exec output logs can be deleted')
        rmSync(path, { force: true })
        return empty()
      },
    },
  }),
]
