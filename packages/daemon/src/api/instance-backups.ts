/** @module /1.0/instances/{name}/backups endpoints (create, list, get, rename, delete, export) and backup import (POST /1.0/instances with a tarball). */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { badRequest } from '@corral/api'
import * as db from '../db/instances.js'
import { entityUrl } from '../events/lifecycle.js'
import { receiveUpload } from '../image/index.js'
import {
  backupFile,
  getBackup,
  listBackups,
  removeBackup,
  renameBackup,
  toApiBackup,
} from '../instance/backup-files.js'
import { createBackup, validateBackup } from '../instance/backup-create.js'
import { checkImport, importBackup } from '../instance/backup-import.js'
import { instanceLock, lockKey } from '../instance/service.js'
import type { OperationContext } from '../operation/operation.js'
import { validateInstanceName } from '../util/names.js'
import { can } from './access.js'
import { asObject, stringField } from './body.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { boolField } from './instance-create.js'
import { callerOf, instanceOperation } from './instance-op.js'
import { recursionLevel } from './query.js'
import { async, raw, sync, type ApiResponse } from './response.js'

const loadInstance = (req: ApiRequest) => db.getInstance(req.state.db, req.project(), req.params.name!)

function header(req: ApiRequest, name: string): string {
  const v = req.headers[name]
  return (Array.isArray(v) ? v[0] : v) ?? ''
}

/** An operation on one instance's backup, serialised with the instance's other work; `backups` names it as LXD does. */
function backupOperation(
  req: ApiRequest,
  instance: string,
  backup: string,
  description: string,
  work: (ctx: OperationContext) => Promise<void>,
) {
  const project = req.project()
  return req.state.operations.create({
    project,
    class: 'task',
    description,
    // The client reads the backup's name from this resource ("/1.0/backups/<name>").
    resources: {
      instances: [entityUrl(`/1.0/instances/${instance}`, project)],
      backups: [`/1.0/backups/${backup}`],
    },
    requestor: req.requestor(),
    run: (ctx) => instanceLock.run(lockKey(project, instance), () => work(ctx)),
  })
}

/** The expiry of a create request: '' for none (absent or Go's zero time). */
function expiryField(body: Record<string, unknown>): string {
  const v = stringField(body, 'expires_at')
  return v === '' || v.startsWith('0001-01-01') ? '' : v
}

/** Imports a backup tarball sent as the body of POST /1.0/instances: checked whole (4xx, nothing kept) before the operation. */
export async function importBackupResponse(req: ApiRequest): Promise<ApiResponse> {
  const name = header(req, 'x-lxd-name')
  if (name) validateInstanceName(name)
  const staged = await receiveUpload(req.state, req.raw, { 'content-type': 'application/octet-stream' })
  const checked = await checkImport(
    req.state,
    staged,
    { name, pool: header(req, 'x-lxd-pool') },
    callerOf(req),
  )
  return async(
    instanceOperation(req, { name: checked.name, description: 'Restoring backup' }, async () => {
      await importBackup(req.state, checked, callerOf(req))
    }),
  )
}

/** The backup endpoints. */
export const instanceBackupEndpoints = [
  endpoint('/1.0/instances/{name}/backups', {
    get: {
      access: can('view'),
      handler: (req) => {
        const inst = loadInstance(req)
        const list = listBackups(req.state, inst.project, inst.name)
        if (recursionLevel(req) > 0) return sync(list.map(toApiBackup))
        return sync(list.map((b) => entityUrl(`/1.0/instances/${inst.name}/backups/${b.name}`, inst.project)))
      },
    },
    post: {
      access: can('operate-containers'),
      handler: async (req) => {
        const inst = loadInstance(req)
        const body = asObject(await req.json())
        const request = validateBackup(req.state, inst, {
          name: stringField(body, 'name'),
          expiresAt: expiryField(body),
          instanceOnly: boolField(body, 'instance_only') || boolField(body, 'container_only'),
          optimized: boolField(body, 'optimized_storage'),
          compression: stringField(body, 'compression_algorithm'),
        })
        return async(
          backupOperation(req, inst.name, request.name, 'Backing up instance', () =>
            createBackup(
              req.state,
              db.getInstance(req.state.db, inst.project, inst.name),
              request,
              callerOf(req),
            ),
          ),
        )
      },
    },
  }),
  endpoint('/1.0/instances/{name}/backups/{backup}', {
    get: {
      access: can('view'),
      handler: (req) => {
        const inst = loadInstance(req)
        return sync(toApiBackup(getBackup(req.state, inst.project, inst.name, req.params.backup!)))
      },
    },
    post: {
      access: can('operate-containers'),
      handler: async (req) => {
        const inst = loadInstance(req)
        const record = getBackup(req.state, inst.project, inst.name, req.params.backup!)
        const to = stringField(asObject(await req.json()), 'name')
        if (!to) throw badRequest('No name provided')
        return async(
          backupOperation(req, inst.name, to, 'Renaming instance backup', () =>
            renameBackup(req.state, inst.project, inst.name, record, to),
          ),
        )
      },
    },
    delete: {
      access: can('operate-containers'),
      handler: (req) => {
        const inst = loadInstance(req)
        const record = getBackup(req.state, inst.project, inst.name, req.params.backup!)
        return async(
          backupOperation(req, inst.name, record.name, 'Removing instance backup', () =>
            removeBackup(req.state, inst.project, inst.name, record.name),
          ),
        )
      },
    },
  }),
  endpoint('/1.0/instances/{name}/backups/{backup}/export', {
    get: {
      access: can('operate-containers'),
      handler: async (req) => {
        const inst = loadInstance(req)
        const record = getBackup(req.state, inst.project, inst.name, req.params.backup!)
        const file = backupFile(req.state, inst.project, inst.name, record.name)
        const size = (await stat(file)).size
        return raw(createReadStream(file), {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(size),
          'Content-Disposition': `attachment; filename=${record.name}`,
        })
      },
    },
  }),
]
