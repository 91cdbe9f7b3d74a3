/**
 * @module Custom storage volumes: create (empty or as a copy), update, rename, move across pools
 * and projects, delete, snapshots and restore, and who uses a volume. Volumes live in
 * `<pool>/custom/<project>_<name>` (0700 parents), their top directory root-owned 0711 as on disk:
 * instances see the files through idmapped mounts, so nothing is rewritten for a map.
 */
import { chmod, chown, mkdir, rmdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { StorageVolume, StorageVolumeSnapshot } from '@corral/api'
import { ApiError, badRequest, notFound } from '@corral/api'
import { isTrue } from '../config/validate.js'
import { listInstances, type InstanceRecord } from '../db/instances.js'
import { listProfiles } from '../db/profiles.js'
import { getProject, listProjects } from '../db/projects.js'
import { getStoragePool, type StoragePoolRecord } from '../db/storage-pools.js'
import * as db from '../db/storage-volumes.js'
import { entityUrl, publishLifecycle, type LifecycleOptions } from '../events/lifecycle.js'
import { expandedOf } from '../instance/expanded.js'
import { checkProjectPolicy } from '../instance/project-policy.js'
import { checkSnapshotsAllowed } from '../project/restrictions.js'
import type { State } from '../state.js'
import { parseSize } from '../util/size.js'
import { Reverter } from '../util/revert.js'
import type { DriverContext, StorageDriver } from './drivers/driver.js'
import { findStorageDriver } from './drivers/registry.js'
import { driverContext, unavailablePools } from './pool.js'
import { realFs, replaceVolume } from './recovery.js'
import {
  customSnapshotPath,
  customSnapshotsDir,
  customVolumeName,
  customVolumePath,
  ensureCustomDirs,
  validateVolumeName,
} from './volume-path.js'
import { customVolumeKeys } from './volume-keys.js'

export type { VolumeRecord, VolumeSnapshotRecord } from '../db/storage-volumes.js'

/** Who asked (and in which project), for lifecycle events. */
type WriteOptions = LifecycleOptions

/** A pool as volume work needs it: its record, driver and driver context. */
interface LoadedPool {
  record: StoragePoolRecord
  driver: StorageDriver
  ctx: DriverContext
}

/** Loads a pool for volume work (404, or 503 when it could not be mounted). */
export function loadVolumePool(state: State, name: string): LoadedPool {
  const record = getStoragePool(state.db, name)
  if (unavailablePools(state).has(name))
    throw new ApiError(503, `Storage pool "${name}" is unavailable on this server`)
  return { record, driver: findStorageDriver(record.driver), ctx: driverContext(state, record) }
}

/** The project whose volumes a project uses: itself, or `default` when its features.storage.volumes is off. */
export function volumeProjectOf(state: State, project: string): string {
  const p = getProject(state.db, project)
  return isTrue(p.config['features.storage.volumes'] ?? 'true') ? p.name : 'default'
}

/** The host path of a custom volume (the volume must exist). */
export function volumePath(state: State, vol: db.VolumeRecord): string {
  return customVolumePath(loadVolumePool(state, vol.pool).ctx.mountPath, vol.project, vol.name)
}

/** True when a disk device refers to this volume. */
const refersTo = (vol: db.VolumeRecord, d: Record<string, string>): boolean =>
  d.type === 'disk' && d.pool === vol.pool && d.source === vol.name && d.path !== '/'

/** The instances (expanded devices) that have the volume attached, with the device names. */
export function volumeInstances(
  state: State,
  vol: db.VolumeRecord,
): { inst: InstanceRecord; devices: string[] }[] {
  const out: { inst: InstanceRecord; devices: string[] }[] = []
  for (const inst of listInstances(state.db, undefined)) {
    if (volumeProjectOf(state, inst.project) !== vol.project) continue
    let devices: Record<string, Record<string, string>>
    try {
      devices = expandedOf(state, inst).devices
    } catch {
      devices = inst.devices
    }
    const names = Object.entries(devices)
      .filter(([, d]) => refersTo(vol, d))
      .map(([n]) => n)
    if (names.length > 0) out.push({ inst, devices: names })
  }
  return out
}

/** The API URLs of a volume's users: instances and profiles with a disk device on it. */
export function volumeUsedBy(state: State, vol: db.VolumeRecord): string[] {
  const urls = volumeInstances(state, vol).map(({ inst }) =>
    entityUrl(`/1.0/instances/${inst.name}`, inst.project),
  )
  for (const project of listProjects(state.db)) {
    if (volumeProjectOf(state, project.name) !== vol.project) continue
    for (const p of listProfiles(state.db, project.name))
      if (Object.values(p.devices).some((d) => refersTo(vol, d)))
        urls.push(entityUrl(`/1.0/profiles/${p.name}`, project.name))
  }
  return urls
}

/** The wire form of a custom volume. */
export function toApiVolume(state: State, vol: db.VolumeRecord): StorageVolume {
  return {
    name: vol.name,
    type: 'custom',
    description: vol.description,
    config: vol.config,
    used_by: volumeUsedBy(state, vol),
    location: 'none',
    content_type: vol.contentType,
    project: vol.project,
    created_at: vol.created_at,
  }
}

/** The wire form of a volume snapshot: named `<volume>/<snapshot>` in lists, `<snapshot>` alone when fetched, as LXD does. */
export function toApiVolumeSnapshot(
  vol: db.VolumeRecord,
  s: db.VolumeSnapshotRecord,
  opts: { inList: boolean },
): StorageVolumeSnapshot {
  return {
    name: opts.inList ? `${vol.name}/${s.name}` : s.name,
    description: s.description,
    config: s.config,
    content_type: vol.contentType,
    created_at: s.created_at,
    expires_at: s.expires_at || '0001-01-01T00:00:00Z',
  }
}

/** The writable part of a volume, whose hash is its ETag. */
export function volumeEtagSource(vol: db.VolumeRecord): unknown {
  return [vol.name, vol.type, vol.description, vol.config]
}

/** The config without its empty values (LXD: empty means unset). */
const withoutEmpty = (config: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(config).filter(([, v]) => v !== ''))

const volumeUrl = (pool: string, name: string): string => `/1.0/storage-pools/${pool}/volumes/custom/${name}`

/** Validates a volume's config for a pool: keys, and `size` only where the driver has quotas. */
function validateConfig(pool: LoadedPool, name: string, config: Record<string, string>): void {
  customVolumeKeys(name).validate(config)
  if (config.size && !pool.driver.setQuota)
    throw badRequest(`Volume quotas ("size") are not supported by the ${pool.driver.name} storage driver`)
}

/** Refuses a volume that would put its project over `limits.disk` (LXD's messages). */
function checkVolumeLimits(
  state: State,
  project: string,
  volume: { pool: string; name: string; config: Record<string, string> },
  action: 'creation' | 'update',
): void {
  try {
    checkProjectPolicy(state, project, undefined, volume)
  } catch (err) {
    if (err instanceof ApiError)
      throw new ApiError(err.status, `Failed checking if volume ${action} allowed: ${err.message}`)
    throw err
  }
}

/** Makes a fresh volume's top directory as LXD does: root-owned, 0711 (the instance's root sees it as its own). */
async function finishVolume(path: string): Promise<void> {
  await chown(path, 0, 0)
  await chmod(path, 0o711)
}

/** Applies a volume's `size` (0 removes the quota). */
async function applyQuota(pool: LoadedPool, path: string, size: string | undefined): Promise<void> {
  if (!pool.driver.setQuota) return
  await pool.driver.setQuota(pool.ctx, path, size ? parseSize(size) : 0)
}

/** Copies one volume's files into another volume path (across pools: no driver-level copy). */
async function copyAcross(state: State, from: string, to: LoadedPool, dst: string): Promise<void> {
  await to.driver.createVolume(to.ctx, dst)
  try {
    await state.host.run('cp', ['-a', '--reflink=auto', `${from}/.`, `${dst}/`], { timeoutMs: 3_600_000 })
  } catch (err) {
    await to.driver.deleteVolume(to.ctx, dst)
    throw err
  }
}

/** What a create asks for. */
export interface CreateVolumeRequest {
  name: string
  description: string
  config: Record<string, string>
  contentType: string
  /** Copy of another custom volume (or one of its snapshots, `vol/snap`). */
  source?: { pool: string; name: string; project: string; volumeOnly: boolean }
}

/** Validates a create without changing anything (4xx before any operation starts). */
export function validateCreateVolume(
  state: State,
  poolName: string,
  project: string,
  req: CreateVolumeRequest,
) {
  const pool = loadVolumePool(state, poolName)
  req.config = withoutEmpty(req.config)
  validateVolumeName(req.name)
  if (req.contentType !== 'filesystem') {
    if (req.contentType === 'block')
      throw badRequest(`Block volumes are not supported by the ${pool.driver.name} storage driver`)
    throw badRequest(`Invalid content type "${req.contentType}"`)
  }
  validateConfig(pool, req.name, req.config)
  checkVolumeLimits(state, project, { pool: poolName, name: req.name, config: req.config }, 'creation')
  const exists = db.listVolumes(state.db, poolName, project).some((v) => v.name === req.name)
  if (exists) throw new ApiError(409, 'Volume by that name already exists')
  let source: { vol: db.VolumeRecord; snapshot?: db.VolumeSnapshotRecord; pool: LoadedPool } | undefined
  if (req.source) {
    const [volName, snapName] = req.source.name.split('/')
    if (!volName) throw badRequest('No source volume name supplied')
    const vol = db.getVolume(state.db, req.source.pool, req.source.project, volName)
    const snapshot = snapName ? db.getVolumeSnapshot(state.db, vol.id, snapName) : undefined
    source = { vol, snapshot, pool: loadVolumePool(state, req.source.pool) }
  }
  return { pool, source }
}

/** Creates a custom volume (empty, or a copy with its snapshots unless volumeOnly); undone on failure. */
export async function createCustomVolume(
  state: State,
  poolName: string,
  project: string,
  req: CreateVolumeRequest,
  opts: WriteOptions,
): Promise<void> {
  const { pool, source } = validateCreateVolume(state, poolName, project, req)
  const mount = pool.ctx.mountPath
  await ensureCustomDirs(mount)
  const path = customVolumePath(mount, project, req.name)
  if (await stat(path).catch(() => undefined))
    throw new ApiError(409, `Volume "${customVolumeName(project, req.name)}" already exists on disk`)
  const revert = new Reverter()
  try {
    const id = db.createVolume(state.db, {
      pool: poolName,
      project,
      name: req.name,
      contentType: req.contentType,
      description: req.description,
      config: req.config,
      created_at: new Date().toISOString(),
    })
    revert.add(() => db.deleteVolume(state.db, id))
    revert.add(() => pool.driver.deleteVolume(pool.ctx, path))
    if (!source) await pool.driver.createVolume(pool.ctx, path)
    else {
      const srcMount = source.pool.ctx.mountPath
      const from = source.snapshot
        ? customSnapshotPath(srcMount, source.vol.project, source.vol.name, source.snapshot.name)
        : customVolumePath(srcMount, source.vol.project, source.vol.name)
      if (source.pool.record.name === poolName)
        await pool.driver.copyVolume(pool.ctx, from, path, { readOnly: false })
      else await copyAcross(state, from, pool, path)
      if (!source.snapshot && !req.source!.volumeOnly) {
        const snaps = db.listVolumeSnapshots(state.db, source.vol.id)
        if (snaps.length > 0) {
          const dir = customSnapshotsDir(mount, project, req.name)
          await mkdir(dir, { recursive: true, mode: 0o700 })
          revert.add(async () => {
            for (const s of snaps) await pool.driver.deleteVolume(pool.ctx, join(dir, s.name))
            await rmdir(dir).catch(() => undefined)
          })
          for (const s of snaps) {
            const snapFrom = customSnapshotPath(srcMount, source.vol.project, source.vol.name, s.name)
            const snapTo = join(dir, s.name)
            if (source.pool.record.name === poolName)
              await pool.driver.copyVolume(pool.ctx, snapFrom, snapTo, { readOnly: true })
            else await copyAcross(state, snapFrom, pool, snapTo)
            db.createVolumeSnapshot(state.db, { ...s, volumeId: id })
          }
        }
      }
    }
    await finishVolume(path)
    if (req.config.size) await applyQuota(pool, path, req.config.size)
    revert.success()
  } finally {
    await revert.fail()
  }
  publishLifecycle(state.events, 'storage-volume-created', volumeUrl(poolName, req.name), {
    ...opts,
    project,
  })
}

/** Replaces a volume's description and config (PUT, or PATCH after merging). */
export async function updateCustomVolume(
  state: State,
  vol: db.VolumeRecord,
  content: { description: string; config: Record<string, string> },
  opts: WriteOptions,
): Promise<void> {
  const pool = loadVolumePool(state, vol.pool)
  // An empty value unsets the key, as in LXD.
  content = { ...content, config: withoutEmpty(content.config) }
  validateConfig(pool, vol.name, content.config)
  checkVolumeLimits(state, vol.project, { pool: vol.pool, name: vol.name, config: content.config }, 'update')
  if ((content.config.size ?? '') !== (vol.config.size ?? ''))
    await applyQuota(pool, customVolumePath(pool.ctx.mountPath, vol.project, vol.name), content.config.size)
  db.updateVolume(state.db, vol.id, content)
  publishLifecycle(state.events, 'storage-volume-updated', volumeUrl(vol.pool, vol.name), opts)
}

/** Refuses to touch a volume that an instance or profile uses, as LXD refuses a delete (and, stricter, a rename). */
function mustBeUnused(state: State, vol: db.VolumeRecord): void {
  if (volumeUsedBy(state, vol).length > 0) throw badRequest('The storage volume is still in use')
}

/** Renames a volume and/or moves it to another pool or project, with its snapshots. */
export async function moveCustomVolume(
  state: State,
  vol: db.VolumeRecord,
  to: { name: string; pool: string; project: string },
  opts: WriteOptions,
): Promise<void> {
  validateVolumeName(to.name)
  mustBeUnused(state, vol)
  const src = loadVolumePool(state, vol.pool)
  const dst = loadVolumePool(state, to.pool)
  getProject(state.db, to.project)
  if (to.name === vol.name && to.pool === vol.pool && to.project === vol.project) return
  if (db.listVolumes(state.db, to.pool, to.project).some((v) => v.name === to.name))
    throw new ApiError(409, 'Volume by that name already exists')
  // A move into another project counts there (limits.disk), as a creation would.
  if (to.project !== vol.project)
    checkVolumeLimits(state, to.project, { pool: to.pool, name: to.name, config: vol.config }, 'creation')
  await ensureCustomDirs(dst.ctx.mountPath)
  const from = customVolumePath(src.ctx.mountPath, vol.project, vol.name)
  const target = customVolumePath(dst.ctx.mountPath, to.project, to.name)
  const fromSnaps = customSnapshotsDir(src.ctx.mountPath, vol.project, vol.name)
  const toSnaps = customSnapshotsDir(dst.ctx.mountPath, to.project, to.name)
  const hasSnaps = (await stat(fromSnaps).catch(() => undefined)) !== undefined
  if (await stat(target).catch(() => undefined)) throw new ApiError(409, 'Volume by that name already exists')
  const revert = new Reverter()
  try {
    if (src.record.name === dst.record.name) {
      await realFs.rename(from, target)
      revert.add(() => realFs.rename(target, from))
      if (hasSnaps) {
        await realFs.rename(fromSnaps, toSnaps)
        revert.add(() => realFs.rename(toSnaps, fromSnaps))
      }
    } else {
      await copyAcross(state, from, dst, target)
      revert.add(() => dst.driver.deleteVolume(dst.ctx, target))
      await finishVolume(target)
      for (const s of db.listVolumeSnapshots(state.db, vol.id)) {
        await mkdir(toSnaps, { recursive: true, mode: 0o700 })
        await copyAcross(state, join(fromSnaps, s.name), dst, join(toSnaps, s.name))
        revert.add(() => dst.driver.deleteVolume(dst.ctx, join(toSnaps, s.name)))
      }
    }
    db.moveVolume(state.db, vol.id, to)
    revert.success()
  } finally {
    await revert.fail()
  }
  if (src.record.name !== dst.record.name) {
    for (const s of db.listVolumeSnapshots(state.db, vol.id))
      await src.driver.deleteVolume(src.ctx, join(fromSnaps, s.name))
    await rmdir(fromSnaps).catch(() => undefined)
    await src.driver.deleteVolume(src.ctx, from)
    if (vol.config.size) await applyQuota(dst, target, vol.config.size)
  }
  publishLifecycle(state.events, 'storage-volume-renamed', volumeUrl(to.pool, to.name), {
    ...opts,
    context: { old_name: vol.name },
  })
}

/** Deletes an unused volume, its snapshots and their files. */
export async function deleteCustomVolume(
  state: State,
  vol: db.VolumeRecord,
  opts: WriteOptions,
): Promise<void> {
  mustBeUnused(state, vol)
  const pool = loadVolumePool(state, vol.pool)
  const mount = pool.ctx.mountPath
  for (const s of db.listVolumeSnapshots(state.db, vol.id))
    await pool.driver.deleteVolume(pool.ctx, customSnapshotPath(mount, vol.project, vol.name, s.name))
  await rmdir(customSnapshotsDir(mount, vol.project, vol.name)).catch(() => undefined)
  await pool.driver.deleteVolume(pool.ctx, customVolumePath(mount, vol.project, vol.name))
  db.deleteVolume(state.db, vol.id)
  publishLifecycle(state.events, 'storage-volume-deleted', volumeUrl(vol.pool, vol.name), opts)
}

/** The next free `snapshots.pattern` name (`snap0`, `snap1`, ...). */
function nextSnapshotName(state: State, vol: db.VolumeRecord): string {
  const pattern = customVolumeKeys(vol.name).get(vol.config, 'snapshots.pattern')
  const taken = new Set(db.listVolumeSnapshots(state.db, vol.id).map((s) => s.name))
  for (let i = 0; ; i++) {
    const name = pattern.includes('%d')
      ? pattern.replace('%d', String(i))
      : i === 0
        ? pattern
        : `${pattern}-${i}`
    if (!taken.has(name)) return name
  }
}

/** Validates a snapshot create and returns the snapshot's name (given, or from the pattern). */
export function validateCreateSnapshot(state: State, vol: db.VolumeRecord, name: string): string {
  checkSnapshotsAllowed(getProject(state.db, vol.project))
  const snap = name || nextSnapshotName(state, vol)
  validateVolumeName(snap, 'Storage volume snapshot')
  if (db.listVolumeSnapshots(state.db, vol.id).some((s) => s.name === snap))
    throw new ApiError(409, `Snapshot "${snap}" already in use`)
  loadVolumePool(state, vol.pool)
  return snap
}

/** Snapshots a volume: a read-only copy where the driver can, and its row. */
export async function createVolumeSnapshot(
  state: State,
  vol: db.VolumeRecord,
  name: string,
  opts: WriteOptions,
): Promise<void> {
  const snap = validateCreateSnapshot(state, vol, name)
  const pool = loadVolumePool(state, vol.pool)
  const mount = pool.ctx.mountPath
  await ensureCustomDirs(mount)
  await mkdir(customSnapshotsDir(mount, vol.project, vol.name), { recursive: true, mode: 0o700 })
  const path = customSnapshotPath(mount, vol.project, vol.name, snap)
  await pool.driver.copyVolume(pool.ctx, customVolumePath(mount, vol.project, vol.name), path, {
    readOnly: true,
  })
  try {
    db.createVolumeSnapshot(state.db, {
      volumeId: vol.id,
      name: snap,
      description: '',
      config: vol.config,
      created_at: new Date().toISOString(),
      expires_at: '',
    })
  } catch (err) {
    await pool.driver.deleteVolume(pool.ctx, path)
    throw err
  }
  publishLifecycle(
    state.events,
    'storage-volume-snapshot-created',
    `${volumeUrl(vol.pool, vol.name)}/snapshots/${snap}`,
    opts,
  )
}

/** Deletes one snapshot. */
export async function deleteVolumeSnapshot(
  state: State,
  vol: db.VolumeRecord,
  snap: db.VolumeSnapshotRecord,
  opts: WriteOptions,
): Promise<void> {
  const pool = loadVolumePool(state, vol.pool)
  const mount = pool.ctx.mountPath
  await pool.driver.deleteVolume(pool.ctx, customSnapshotPath(mount, vol.project, vol.name, snap.name))
  await rmdir(customSnapshotsDir(mount, vol.project, vol.name)).catch(() => undefined)
  db.deleteVolumeSnapshot(state.db, snap.id)
  publishLifecycle(
    state.events,
    'storage-volume-snapshot-deleted',
    `${volumeUrl(vol.pool, vol.name)}/snapshots/${snap.name}`,
    opts,
  )
}

/** Renames one snapshot. */
export async function renameVolumeSnapshot(
  state: State,
  vol: db.VolumeRecord,
  snap: db.VolumeSnapshotRecord,
  name: string,
  opts: WriteOptions,
): Promise<void> {
  validateVolumeName(name, 'Storage volume snapshot')
  const pool = loadVolumePool(state, vol.pool)
  const mount = pool.ctx.mountPath
  const to = customSnapshotPath(mount, vol.project, vol.name, name)
  if (await stat(to).catch(() => undefined)) throw new ApiError(409, `Name "${name}" already in use`)
  db.renameVolumeSnapshot(state.db, snap.id, name)
  try {
    await realFs.rename(customSnapshotPath(mount, vol.project, vol.name, snap.name), to)
  } catch (err) {
    db.renameVolumeSnapshot(state.db, snap.id, snap.name)
    throw err
  }
  publishLifecycle(
    state.events,
    'storage-volume-snapshot-renamed',
    `${volumeUrl(vol.pool, vol.name)}/snapshots/${name}`,
    opts,
  )
}

/**
 * Restores a volume from a snapshot: the files and their owners as they were (nothing was
 * shifted on disk). Refused while a running instance has it mounted: the mount would keep the old tree.
 */
export async function restoreVolume(
  state: State,
  vol: db.VolumeRecord,
  snapshot: string,
  running: (inst: InstanceRecord) => Promise<boolean>,
  opts: WriteOptions,
): Promise<void> {
  const snap = db.getVolumeSnapshot(state.db, vol.id, snapshot)
  for (const { inst } of volumeInstances(state, vol))
    if (await running(inst))
      throw badRequest(`Cannot restore a volume attached to the running instance "${inst.name}"`)
  const pool = loadVolumePool(state, vol.pool)
  const mount = pool.ctx.mountPath
  const work = { driver: pool.driver, ctx: pool.ctx, fs: realFs, dir: join(mount, 'custom') }
  await replaceVolume(
    work,
    customVolumeName(vol.project, vol.name),
    customSnapshotPath(mount, vol.project, vol.name, snap.name),
  )
  const path = customVolumePath(mount, vol.project, vol.name)
  // A snapshot is read-only where the driver can make it so; the restored volume is writable.
  if (pool.driver.name === 'btrfs')
    await state.host.run('btrfs', ['property', 'set', '-ts', path, 'ro', 'false'])
  if (vol.config.size) await applyQuota(pool, path, vol.config.size)
  publishLifecycle(state.events, 'storage-volume-restored', volumeUrl(vol.pool, vol.name), opts)
}

/** Space a volume uses (`du`), and its quota when it has one. */
export async function volumeUsage(
  state: State,
  vol: db.VolumeRecord,
): Promise<{ used: number; total: number }> {
  const path = volumePath(state, vol)
  const { stdout } = await state.host.run('du', ['-sb', '-x', path], { timeoutMs: 600_000 })
  const used = Number(stdout.split('\t')[0]) || 0
  return { used, total: vol.config.size ? parseSize(vol.config.size) : -1 }
}

/** Refuses a volume type this daemon does not create or change (instance and image volumes are the instance's and image's). */
export function mustBeCustom(type: string, action: string): void {
  if (type === 'custom') return
  if (type === 'container' || type === 'image' || type === 'virtual-machine')
    throw badRequest(`${action} storage volumes of type "${type}" is not allowed`)
  throw badRequest(`Invalid storage volume type "${type}"`)
}

/** Validates a volume name (LXD's messages). */
export const validateName = (name: string): void => validateVolumeName(name)

/** Looks a custom volume up by its pool, project and name (404 "Storage volume not found"). */
export function getCustomVolume(state: State, pool: string, project: string, name: string): db.VolumeRecord {
  getStoragePool(state.db, pool)
  if (name.includes('/')) throw notFound('Storage volume not found')
  return db.getVolume(state.db, pool, project, name)
}
