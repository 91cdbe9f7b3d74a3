/** @module /1.0/storage-pools/{name}/volumes endpoints: custom volumes, their snapshots, and the instance and image volumes as LXD lists them. */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { StorageVolume } from '@corral/api'
import { badRequest, notFound } from '@corral/api'
import { isTrue } from '../config/validate.js'
import { listInstances } from '../db/instances.js'
import { getStoragePool } from '../db/storage-pools.js'
import * as vdb from '../db/storage-volumes.js'
import { entityUrl } from '../events/lifecycle.js'
import { isAlive, runtimeState } from '../instance/container.js'
import * as volumes from '../storage/custom-volumes.js'
import { findStorageDriver } from '../storage/drivers/registry.js'
import { driverContext } from '../storage/pool.js'
import { can, type Identity, inProject, isAdmin, visibleUsedBy } from './access.js'
import { asObject, stringField, stringMapField } from './body.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { checkEtag, etagOf } from './etag.js'
import { recursionLevel } from './query.js'
import { importHandler } from './storage-volume-backups.js'
import { async, created, empty, sync } from './response.js'

const base = '/1.0/storage-pools/{name}/volumes'
const writeOpts = (req: ApiRequest) => ({ requestor: req.requestor(), project: req.project() })
/** The project whose volumes the request's project uses. */
const volumeProject = (req: ApiRequest) => volumes.volumeProjectOf(req.state, req.project())

/** The custom volume a request names (404 for other types it cannot find). */
function loadVolume(req: ApiRequest): vdb.VolumeRecord {
  volumes.mustBeCustom(req.params.type!, 'Accessing')
  return volumes.getCustomVolume(req.state, req.params.name!, volumeProject(req), req.params.volume!)
}

/** The instance volumes on a pool (type `container`), as LXD lists them. */
function instanceVolumes(req: ApiRequest, pool: string, projects: (p: string) => boolean): StorageVolume[] {
  return listInstances(req.state.db, undefined)
    .filter((i) => i.pool === pool && projects(i.project))
    .map((i) => ({
      name: i.name,
      type: 'container',
      description: '',
      config: {},
      used_by: [entityUrl(`/1.0/instances/${i.name}`, i.project)],
      location: 'none',
      content_type: 'filesystem',
      project: i.project,
      created_at: i.created_at,
    }))
}

/** The cached image volumes of a pool whose driver keeps and lists them, as LXD's (type `image`). */
function imageVolumes(req: ApiRequest, pool: string): StorageVolume[] {
  const record = getStoragePool(req.state.db, pool)
  if (!findStorageDriver(record.driver).copyOnWrite) return []
  const dir = join(driverContext(req.state, record).mountPath, 'images')
  let entries: string[]
  try {
    entries = readdirSync(dir).filter((e) => /^[0-9a-f]{64}$/.test(e))
  } catch {
    entries = []
  }
  return entries.map((f) => ({
    name: f,
    type: 'image',
    description: '',
    config: {},
    used_by: [`/1.0/images/${f}`],
    location: 'none',
    content_type: 'filesystem',
    project: 'default',
    created_at: '0001-01-01T00:00:00Z',
  }))
}

/** What a caller sees of a volume: used_by narrowed to its projects. */
const view = (identity: Identity, v: StorageVolume): StorageVolume => ({
  ...v,
  used_by: visibleUsedBy(identity, v.used_by),
})

/** The volume URL LXD lists. */
const urlOf = (pool: string, v: StorageVolume) =>
  entityUrl(`/1.0/storage-pools/${pool}/volumes/${v.type}/${v.name}`, v.project)

/** Lists a pool's volumes (of one type when the path names it). */
function listHandler(req: ApiRequest) {
  const pool = req.params.name!
  getStoragePool(req.state.db, pool)
  const type = req.params.type
  if (type && !['custom', 'container', 'image', 'virtual-machine'].includes(type))
    throw badRequest(`Invalid storage volume type "${type}"`)
  const all = isTrue(req.query.get('all-projects') ?? '')
  const project = volumeProject(req)
  const visible = (p: string) => (all ? inProject(req.identity, p) : p === req.project() || p === project)
  const list: StorageVolume[] = []
  if (!type || type === 'container') list.push(...instanceVolumes(req, pool, visible))
  // Cached image volumes are the server's, across projects: only unrestricted callers see them.
  if ((!type || type === 'image') && isAdmin(req.identity)) list.push(...imageVolumes(req, pool))
  if (!type || type === 'custom')
    for (const v of vdb.listVolumes(req.state.db, pool, all ? undefined : project))
      if (!all || inProject(req.identity, v.project)) list.push(volumes.toApiVolume(req.state, v))
  if (recursionLevel(req) > 0) return sync(list.map((v) => view(req.identity, v)))
  return sync(list.map((v) => urlOf(pool, v)))
}

/** Creates a custom volume: empty (sync), or a copy of another (an operation). */
async function createHandler(req: ApiRequest) {
  if (req.headers['content-type'] === 'application/octet-stream') {
    if ((req.params.type ?? 'custom') !== 'custom') throw badRequest('Only custom volumes can be imported')
    return importHandler(req)
  }
  const body = asObject(await req.json())
  const type = req.params.type ?? stringField(body, 'type', 'custom')
  if (type !== 'custom') {
    if (['container', 'image', 'virtual-machine'].includes(type))
      throw badRequest(`Currently not allowed to create storage volumes of type "${type}"`)
    throw badRequest(`Invalid storage volume type "${type}"`)
  }
  const pool = req.params.name!
  const project = volumeProject(req)
  const source = body.source && typeof body.source === 'object' ? asObject(body.source) : undefined
  const sourceType = source ? stringField(source, 'type') : ''
  if (sourceType !== '' && sourceType !== 'copy') throw badRequest(`Unknown source type "${sourceType}"`)
  const request: volumes.CreateVolumeRequest = {
    name: stringField(body, 'name'),
    description: stringField(body, 'description'),
    config: stringMapField(body, 'config'),
    contentType: stringField(body, 'content_type', 'filesystem') || 'filesystem',
  }
  if (source && sourceType === 'copy') {
    const fromProject = stringField(source, 'project') || req.project()
    if (!inProject(req.identity, fromProject)) throw notFound('Storage volume not found')
    request.source = {
      pool: stringField(source, 'pool') || pool,
      name: stringField(source, 'name'),
      project: volumes.volumeProjectOf(req.state, fromProject),
      volumeOnly: source.volume_only === true,
    }
  }
  volumes.validateCreateVolume(req.state, pool, project, request)
  if (!request.source) {
    await volumes.createCustomVolume(req.state, pool, project, request, writeOpts(req))
    return created(`/1.0/storage-pools/${pool}/volumes/custom/${request.name}`)
  }
  return async(
    req.state.operations.create({
      project: req.project(),
      class: 'task',
      description: 'Copying storage volume',
      resources: { storage_volumes: [`/1.0/storage-pools/${pool}/volumes/custom/${request.name}`] },
      requestor: req.requestor(),
      run: () => volumes.createCustomVolume(req.state, pool, project, request, writeOpts(req)),
    }),
  )
}

/** Reads a PUT/PATCH body. */
async function readContent(req: ApiRequest) {
  const body = asObject(await req.json())
  return {
    description: stringField(body, 'description'),
    hasDescription: typeof body.description === 'string',
    config: stringMapField(body, 'config'),
    restore: stringField(body, 'restore'),
  }
}

// A frozen instance still has the volume mounted: it counts as running.
const isRunning = (req: ApiRequest) => async (inst: Parameters<typeof runtimeState>[1]) =>
  isAlive(await runtimeState(req.state, inst))

const snapshotUrl = (pool: string, vol: string, snap: string) =>
  `/1.0/storage-pools/${pool}/volumes/custom/${vol}/snapshots/${snap}`

/** The storage volume endpoints. */
export const storageVolumeEndpoints = [
  endpoint(base, {
    get: { access: can('view'), handler: listHandler },
    post: { access: can('manage-storage-volumes'), handler: createHandler },
  }),
  endpoint(`${base}/{type}`, {
    get: { access: can('view'), handler: listHandler },
    post: { access: can('manage-storage-volumes'), handler: createHandler },
  }),
  endpoint(`${base}/{type}/{volume}`, {
    get: {
      access: can('view'),
      handler: (req) => {
        const type = req.params.type!
        if (type === 'container' || type === 'image') {
          const project = req.project()
          const found = (
            type === 'container'
              ? instanceVolumes(req, req.params.name!, (p) => p === project)
              : isAdmin(req.identity)
                ? imageVolumes(req, req.params.name!)
                : []
          ).find((v) => v.name === req.params.volume)
          if (!found) throw notFound('Storage volume not found')
          return sync(view(req.identity, found))
        }
        const vol = loadVolume(req)
        return sync(view(req.identity, volumes.toApiVolume(req.state, vol)), {
          etag: etagOf(volumes.volumeEtagSource(vol)),
        })
      },
    },
    put: {
      access: can('manage-storage-volumes'),
      handler: async (req) => {
        const vol = loadVolume(req)
        checkEtag(req.headers, volumes.volumeEtagSource(vol))
        const content = await readContent(req)
        if (content.restore) {
          await volumes.restoreVolume(req.state, vol, content.restore, isRunning(req), writeOpts(req))
          return empty()
        }
        await volumes.updateCustomVolume(req.state, vol, content, writeOpts(req))
        return empty()
      },
    },
    patch: {
      access: can('manage-storage-volumes'),
      handler: async (req) => {
        const vol = loadVolume(req)
        checkEtag(req.headers, volumes.volumeEtagSource(vol))
        const content = await readContent(req)
        await volumes.updateCustomVolume(
          req.state,
          vol,
          {
            description: content.hasDescription ? content.description : vol.description,
            config: { ...vol.config, ...content.config },
          },
          writeOpts(req),
        )
        return empty()
      },
    },
    post: {
      access: can('manage-storage-volumes'),
      handler: async (req) => {
        volumes.mustBeCustom(req.params.type!, 'Renaming')
        const vol = loadVolume(req)
        const body = asObject(await req.json())
        if (body.migration === true) throw badRequest('Migration of storage volumes is not supported')
        const to = {
          name: stringField(body, 'name') || vol.name,
          pool: stringField(body, 'pool') || vol.pool,
          project: stringField(body, 'project')
            ? volumes.volumeProjectOf(req.state, stringField(body, 'project'))
            : vol.project,
        }
        if (!stringField(body, 'name') && !stringField(body, 'pool')) throw badRequest('No name provided')
        if (!inProject(req.identity, stringField(body, 'project') || req.project()))
          throw notFound('Project not found')
        // Checked before an operation exists: bad names and used volumes answer 4xx at once.
        if (to.name.includes('/')) throw badRequest('Storage volume names may not contain slashes')
        if (volumes.volumeUsedBy(req.state, vol).length > 0)
          throw badRequest('The storage volume is still in use')
        const work = () => volumes.moveCustomVolume(req.state, vol, to, writeOpts(req))
        // The stock client renames with a plain request and moves (pool or project) through an operation.
        if (to.pool === vol.pool && !stringField(body, 'project')) {
          await work()
          return created(`/1.0/storage-pools/${to.pool}/volumes/custom/${to.name}`)
        }
        volumes.getCustomVolume(req.state, vol.pool, vol.project, vol.name)
        getStoragePool(req.state.db, to.pool)
        return async(
          req.state.operations.create({
            project: req.project(),
            class: 'task',
            description: 'Moving storage volume',
            resources: { storage_volumes: [`/1.0/storage-pools/${vol.pool}/volumes/custom/${vol.name}`] },
            requestor: req.requestor(),
            run: work,
          }),
        )
      },
    },
    delete: {
      access: can('manage-storage-volumes'),
      handler: async (req) => {
        const type = req.params.type!
        if (type !== 'custom') {
          if (['container', 'image', 'virtual-machine'].includes(type))
            throw badRequest(`Storage volumes of type "${type}" cannot be deleted with the storage API`)
          throw badRequest(`Invalid storage volume type "${type}"`)
        }
        await volumes.deleteCustomVolume(req.state, loadVolume(req), writeOpts(req))
        return empty()
      },
    },
  }),
  endpoint(`${base}/{type}/{volume}/state`, {
    get: {
      access: can('view'),
      handler: async (req) => sync({ usage: await volumes.volumeUsage(req.state, loadVolume(req)) }),
    },
  }),
  endpoint(`${base}/{type}/{volume}/snapshots`, {
    get: {
      access: can('view'),
      handler: (req) => {
        const vol = loadVolume(req)
        const snaps = vdb.listVolumeSnapshots(req.state.db, vol.id)
        if (recursionLevel(req) > 0)
          return sync(snaps.map((s) => volumes.toApiVolumeSnapshot(vol, s, { inList: true })))
        return sync(snaps.map((s) => entityUrl(snapshotUrl(vol.pool, vol.name, s.name), req.project())))
      },
    },
    post: {
      access: can('manage-storage-volumes'),
      handler: async (req) => {
        const vol = loadVolume(req)
        const body = asObject(await req.json())
        const name = volumes.validateCreateSnapshot(req.state, vol, stringField(body, 'name'))
        return async(
          req.state.operations.create({
            project: req.project(),
            class: 'task',
            description: 'Creating storage volume snapshot',
            resources: { storage_volumes: [`/1.0/storage-pools/${vol.pool}/volumes/custom/${vol.name}`] },
            requestor: req.requestor(),
            run: () => volumes.createVolumeSnapshot(req.state, vol, name, writeOpts(req)),
          }),
        )
      },
    },
  }),
  endpoint(`${base}/{type}/{volume}/snapshots/{snapshot}`, {
    get: {
      access: can('view'),
      handler: (req) => {
        const vol = loadVolume(req)
        const snap = vdb.getVolumeSnapshot(req.state.db, vol.id, req.params.snapshot!)
        return sync(volumes.toApiVolumeSnapshot(vol, snap, { inList: false }), {
          etag: etagOf([snap.name, snap.description]),
        })
      },
    },
    put: {
      access: can('manage-storage-volumes'),
      handler: async (req) => {
        const vol = loadVolume(req)
        const snap = vdb.getVolumeSnapshot(req.state.db, vol.id, req.params.snapshot!)
        const body = asObject(await req.json())
        vdb.updateVolumeSnapshot(req.state.db, snap.id, stringField(body, 'description'))
        return async(
          req.state.operations.create({
            project: req.project(),
            class: 'task',
            description: 'Updating storage volume snapshot',
            requestor: req.requestor(),
            run: () => Promise.resolve(),
          }),
        )
      },
    },
    post: {
      access: can('manage-storage-volumes'),
      handler: async (req) => {
        const vol = loadVolume(req)
        const snap = vdb.getVolumeSnapshot(req.state.db, vol.id, req.params.snapshot!)
        const body = asObject(await req.json())
        const name = stringField(body, 'name')
        if (name.includes('/')) throw badRequest('Storage volume snapshot names may not contain slashes')
        return async(
          req.state.operations.create({
            project: req.project(),
            class: 'task',
            description: 'Renaming storage volume snapshot',
            requestor: req.requestor(),
            run: () => volumes.renameVolumeSnapshot(req.state, vol, snap, name, writeOpts(req)),
          }),
        )
      },
    },
    delete: {
      access: can('manage-storage-volumes'),
      handler: (req) => {
        const vol = loadVolume(req)
        const snap = vdb.getVolumeSnapshot(req.state.db, vol.id, req.params.snapshot!)
        return async(
          req.state.operations.create({
            project: req.project(),
            class: 'task',
            description: 'Deleting storage volume snapshot',
            requestor: req.requestor(),
            run: () => volumes.deleteVolumeSnapshot(req.state, vol, snap, writeOpts(req)),
          }),
        )
      },
    },
  }),
]
