/** @module Storage pools: validation, backing storage, DB rows and lifecycle events. */
import { statfs } from 'node:fs/promises'
import type { Requestor, ResourcesStoragePool, StoragePool } from '@corral/api'
import { badRequest } from '@corral/api'
import * as db from '../db/storage-pools.js'
import { listVolumes } from '../db/storage-volumes.js'
import { entityUrl, publishLifecycle } from '../events/lifecycle.js'
import type { State } from '../state.js'
import { Reverter } from '../util/revert.js'
import { findStorageDriver, storageDrivers } from './drivers/registry.js'
import { driverContext, unavailablePools } from './pool.js'
import { validatePoolName } from './names.js'

export type { StoragePoolRecord } from '../db/storage-pools.js'

/** The content a PUT or PATCH replaces. */
export interface StoragePoolContent {
  description: string
  config: Record<string, string>
}

/** Who asked, for lifecycle events. */
interface WriteOptions {
  requestor: Requestor
}

/** The API URLs of a pool's users (instances, profiles' root disks, custom volumes). */
export function poolUsedBy(state: State, name: string): string[] {
  return [
    ...db
      .storagePoolUsers(state.db, name)
      .map((u) => entityUrl(`/1.0/${u.kind === 'instance' ? 'instances' : 'profiles'}/${u.name}`, u.project)),
    ...listVolumes(state.db, name, undefined).map((v) =>
      entityUrl(`/1.0/storage-pools/${name}/volumes/custom/${v.name}`, v.project),
    ),
  ]
}

/** GET /1.0's storage fields as LXD fills them: the drivers of the pools in use, and every driver this daemon has. */
export function storageEnvironment(state: State): {
  storage: string
  storage_supported_drivers: { Name: string; Version: string; Remote: boolean }[]
} {
  const used = [...new Set(db.listStoragePools(state.db).map((p) => p.driver))].sort()
  return {
    storage: used.join(' | '),
    storage_supported_drivers: storageDrivers.map((d) => ({ Name: d.name, Version: '', Remote: false })),
  }
}

/** The wire form of a stored pool. */
export function toApiPool(state: State, p: db.StoragePoolRecord): StoragePool {
  return {
    name: p.name,
    driver: p.driver,
    description: p.description,
    config: p.config,
    used_by: poolUsedBy(state, p.name),
    status: unavailablePools(state).has(p.name) ? 'Unavailable' : 'Created',
    locations: ['none'],
  }
}

/** The writable part of a pool, whose hash is its ETag. */
export function poolEtagSource(p: db.StoragePoolRecord): unknown {
  return [p.name, p.driver, p.description, p.config]
}

/** Lists every pool. */
export function listPools(state: State): db.StoragePoolRecord[] {
  return db.listStoragePools(state.db)
}

/** Gets one pool (404 "Storage pool not found"). */
export function getPool(state: State, name: string): db.StoragePoolRecord {
  return db.getStoragePool(state.db, name)
}

const poolUrl = (name: string): string => `/1.0/storage-pools/${name}`

/** Creates a pool: validates, records it, then builds its backing storage (undone on failure). */
export async function createPool(
  state: State,
  req: { name: string; driver: string } & StoragePoolContent,
  opts: WriteOptions,
): Promise<void> {
  validatePoolName(req.name)
  const driver = findStorageDriver(req.driver)
  driver.keys.validate(req.config)
  const base = { name: req.name, config: req.config }
  const config = driver.fillDefaults(
    driverContext(state, { ...base, id: 0, driver: driver.name, description: '' }),
  )
  const revert = new Reverter()
  try {
    const id = db.createStoragePool(state.db, { ...req, config })
    revert.add(() => db.deleteStoragePool(state.db, id))
    await driver.create(driverContext(state, { ...base, id, driver: driver.name, description: '', config }))
    revert.success()
  } finally {
    await revert.fail()
  }
  unavailablePools(state).delete(req.name)
  publishLifecycle(state.events, 'storage-pool-created', poolUrl(req.name), opts)
}

/** Replaces a pool's description and config (PUT, or PATCH after merging). */
export async function updatePool(
  state: State,
  current: db.StoragePoolRecord,
  content: StoragePoolContent,
  opts: WriteOptions,
): Promise<void> {
  const driver = findStorageDriver(current.driver)
  driver.keys.validate(content.config)
  const config = { ...content.config }
  for (const key of driver.keptKeys)
    if (!config[key] && current.config[key]) config[key] = current.config[key]
  for (const key of driver.immutableKeys) {
    if ((config[key] ?? '') !== (current.config[key] ?? ''))
      throw badRequest(`Cannot change "${key}" of an existing storage pool`)
  }
  const changed = [...new Set([...Object.keys(config), ...Object.keys(current.config)])].filter(
    (k) => config[k] !== current.config[k],
  )
  if (driver.update && changed.length > 0)
    await driver.update(driverContext(state, { ...current, config }), changed, current.config)
  db.updateStoragePool(state.db, current.id, { description: content.description, config })
  publishLifecycle(state.events, 'storage-pool-updated', poolUrl(current.name), opts)
}

/** Merges a PATCH body into a pool's content: config by key, description if given. */
export function mergePool(
  current: db.StoragePoolRecord,
  patch: StoragePoolContent & { hasDescription: boolean },
): StoragePoolContent {
  return {
    description: patch.hasDescription ? patch.description : current.description,
    config: { ...current.config, ...patch.config },
  }
}

/** Deletes an unused pool and its backing storage. */
export async function deletePool(
  state: State,
  current: db.StoragePoolRecord,
  opts: WriteOptions,
): Promise<void> {
  if (poolUsedBy(state, current.name).length > 0) throw badRequest('The storage pool is currently in use')
  await findStorageDriver(current.driver).delete(driverContext(state, current))
  db.deleteStoragePool(state.db, current.id)
  unavailablePools(state).delete(current.name)
  publishLifecycle(state.events, 'storage-pool-deleted', poolUrl(current.name), opts)
}

/** Space and inodes of a mounted pool (statfs of its mount point). */
export async function poolResources(state: State, p: db.StoragePoolRecord): Promise<ResourcesStoragePool> {
  const s = await statfs(driverContext(state, p).mountPath)
  return {
    space: { total: s.blocks * s.bsize, used: (s.blocks - s.bfree) * s.bsize },
    inodes: { total: s.files, used: s.files - s.ffree },
  }
}
