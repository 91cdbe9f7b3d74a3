/** @module /1.0/storage-pools/{name}/volumes/custom/{volume}/backups endpoints (`lxc storage volume export`), and the import body. */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { badRequest } from '@corral/api'
import * as volumes from '../storage/custom-volumes.js'
import * as backups from '../storage/volume-backup.js'
import { can } from './access.js'
import { asObject, stringField } from './body.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { recursionLevel } from './query.js'
import { async, raw, sync } from './response.js'

const base = '/1.0/storage-pools/{name}/volumes/{type}/{volume}/backups'
const writeOpts = (req: ApiRequest) => ({ requestor: req.requestor(), project: req.project() })

function loadVolume(req: ApiRequest) {
  volumes.mustBeCustom(req.params.type!, 'Backing up')
  return volumes.getCustomVolume(
    req.state,
    req.params.name!,
    volumes.volumeProjectOf(req.state, req.project()),
    req.params.volume!,
  )
}

/** The wire form of a backup (shared/api StoragePoolVolumeBackup). */
async function backupView(req: ApiRequest, vol: ReturnType<typeof loadVolume>, name: string) {
  const st = await stat(await backups.existingBackup(req.state, vol, name))
  return {
    name,
    created_at: st.mtime.toISOString(),
    expires_at: '0001-01-01T00:00:00Z',
    volume_only: false,
    optimized_storage: false,
  }
}

/**
 * An import (POST .../volumes/custom with an octet-stream body): received before the operation
 * starts (the client waits for our answer only after sending it), then extracted in the operation.
 */
export async function importHandler(req: ApiRequest) {
  const pool = req.params.name!
  volumes.loadVolumePool(req.state, pool)
  const header = req.headers['x-lxd-name']
  const name = typeof header === 'string' ? header : ''
  if (name) volumes.validateName(name)
  const work = await backups.receiveBackup(req.state, req.raw)
  return async(
    req.state.operations.create({
      project: req.project(),
      class: 'task',
      description: 'Restoring custom volume from backup',
      resources: { storage_volumes: [`/1.0/storage-pools/${pool}/volumes/custom/${name}`] },
      requestor: req.requestor(),
      run: async () => {
        await backups.importBackup(req.state, pool, req.project(), work, name, writeOpts(req))
      },
    }),
  )
}

/** The backup endpoints. */
export const storageVolumeBackupEndpoints = [
  endpoint(base, {
    get: {
      access: can('view'),
      handler: async (req) => {
        const vol = loadVolume(req)
        const names = await backups.listBackups(req.state, vol)
        if (recursionLevel(req) > 0) return sync(await Promise.all(names.map((n) => backupView(req, vol, n))))
        return sync(
          names.map((n) => `/1.0/storage-pools/${vol.pool}/volumes/custom/${vol.name}/backups/${n}`),
        )
      },
    },
    post: {
      access: can('manage-storage-volumes'),
      handler: async (req) => {
        const vol = loadVolume(req)
        backups.checkBackupsAllowed(req.state, vol.project)
        const body = asObject(await req.json())
        if (body.optimized_storage === true) throw badRequest('Optimized backups are not supported')
        const algo = stringField(body, 'compression_algorithm')
        if (algo && algo !== 'gzip') throw badRequest(`Unsupported compression algorithm "${algo}"`)
        const name = stringField(body, 'name') || (await backups.nextBackupName(req.state, vol))
        backups.backupPath(req.state, vol, name)
        return async(
          req.state.operations.create({
            project: req.project(),
            class: 'task',
            description: 'Backing up custom volume',
            resources: { storage_volumes: [vol.name], backups: [name] },
            requestor: req.requestor(),
            run: () => backups.createBackup(req.state, vol, name, body.volume_only === true, writeOpts(req)),
          }),
        )
      },
    },
  }),
  endpoint(`${base}/{backup}`, {
    get: {
      access: can('view'),
      handler: async (req) => sync(await backupView(req, loadVolume(req), req.params.backup!)),
    },
    delete: {
      access: can('manage-storage-volumes'),
      handler: async (req) => {
        const vol = loadVolume(req)
        const name = req.params.backup!
        await backups.existingBackup(req.state, vol, name)
        return async(
          req.state.operations.create({
            project: req.project(),
            class: 'task',
            description: 'Deleting custom volume backup',
            resources: { volume: [vol.name] },
            requestor: req.requestor(),
            run: () => backups.deleteBackup(req.state, vol, name, writeOpts(req)),
          }),
        )
      },
    },
  }),
  endpoint(`${base}/{backup}/export`, {
    get: {
      access: can('view'),
      handler: async (req) => {
        const vol = loadVolume(req)
        const path = await backups.existingBackup(req.state, vol, req.params.backup!)
        const st = await stat(path)
        return raw(createReadStream(path), {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(st.size),
        })
      },
    },
  }),
]
