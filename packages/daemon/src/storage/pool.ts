/** @module The Pool seam: instance, snapshot and image volumes on a loaded pool. */
import { chmod, chown, mkdir, readdir, rmdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ApiError, conflict, notFound } from '@corral/api'
import { getStoragePool, listStoragePools, type StoragePoolRecord } from '../db/storage-pools.js'
import type { State } from '../state.js'
import type { DriverContext, StorageDriver } from './drivers/driver.js'
import { findStorageDriver } from './drivers/registry.js'
import { dropSpare, isRefilling, keepsSpares, refillSpare, takeSpare } from './spare-copies.js'
import {
  createVolumePrivately,
  realFs,
  recoverVolume,
  recoverVolumes,
  replaceVolume,
  type PoolFs,
  type VolumeWork,
} from './recovery.js'
import {
  imageVolumePath,
  instanceVolumePath,
  poolMountPath,
  safe,
  snapshotsDir,
  volumeName,
} from './volumes.js'

/** A loaded pool, bound to the daemon state. */
export interface Pool {
  name: string
  driver: string
  config: Record<string, string>
  /** Mount point of an instance volume; it holds rootfs/ (and metadata.yaml, templates/). */
  instancePath(project: string, instance: string): string
  /** Path of a snapshot volume: <pool mount>/containers-snapshots/<volume>/<snapshot>. */
  snapshotPath(project: string, instance: string, snapshot: string): string
  /** Creates the instance volume from an image; btrfs unpacks once and snapshots the cached image. */
  createInstanceFromImage(opts: {
    project: string
    instance: string
    fingerprint: string
    unpack: (dir: string) => Promise<void>
  }): Promise<void>
  /**
   * Creates the instance volume privately and lets `fill` write it in passes (a migration's
   * snapshots, then the instance): `snapshot(name)` keeps what the volume holds so far.
   */
  createInstanceFromPasses(opts: {
    project: string
    instance: string
    fill: (dir: string, snapshot: (name: string) => Promise<void>) => Promise<void>
  }): Promise<void>
  /** Removes the instance volume and all its snapshots. */
  deleteInstance(project: string, instance: string): Promise<void>
  /** Renames the instance volume and its snapshots' directory. */
  renameInstance(project: string, from: string, to: string): Promise<void>
  /** Creates a (read-only where the driver can) snapshot volume of the instance. */
  createSnapshot(project: string, instance: string, snapshot: string): Promise<void>
  /** Deletes one snapshot volume. */
  deleteSnapshot(project: string, instance: string, snapshot: string): Promise<void>
  /** Renames one snapshot volume. */
  renameSnapshot(project: string, instance: string, from: string, to: string): Promise<void>
  /** Replaces the instance volume's content with the snapshot's (instance stopped). */
  restoreSnapshot(project: string, instance: string, snapshot: string): Promise<void>
  /** Drops the cached image volume, if the driver keeps one (image deleted). */
  deleteImageVolume(fingerprint: string): Promise<void>
  /** Finishes or undoes what a killed daemon left half done (restores, creates, image unpacks); returns the volumes it tidied. */
  recover(): Promise<string[]>
}

const exists = async (path: string): Promise<boolean> =>
  (await stat(path).catch(() => undefined)) !== undefined

/** Image volumes being unpacked, so concurrent creates from one image unpack it once. */
const unpacking = new Map<string, Promise<void>>()

async function ensureImageVolume(
  work: VolumeWork,
  fingerprint: string,
  unpack: (dir: string) => Promise<void>,
): Promise<string> {
  const { driver, ctx, fs } = work
  const image = imageVolumePath(ctx.mountPath, fingerprint)
  while (unpacking.has(image)) await unpacking.get(image)!.catch(() => undefined)
  if (await exists(image)) return image
  const job = (async () => {
    const partial = `${image}.partial`
    await driver.deleteVolume(ctx, partial)
    await driver.createVolume(ctx, partial)
    try {
      await unpack(partial)
      // Instances are snapshots of this volume and inherit its top directory's mode: keep it private.
      await chmod(partial, 0o700)
      await fs.rename(partial, image)
    } catch (err) {
      await driver.deleteVolume(ctx, partial).catch(() => undefined)
      throw err
    }
    await driver.setReadOnly(ctx, image)
  })()
  unpacking.set(image, job)
  try {
    await job
  } finally {
    unpacking.delete(image)
  }
  return image
}

/** Builds a Pool from a driver and its context (and the file system, for tests); loadPool() is the DB-aware way in. */
export function makePool(driver: StorageDriver, ctx: DriverContext, fs: PoolFs = realFs): Pool {
  const mount = ctx.mountPath
  const work: VolumeWork = { driver, ctx, fs, dir: join(mount, 'containers') }
  const snapshotPath = (project: string, instance: string, snapshot: string): string =>
    join(snapshotsDir(mount, project, instance), safe(snapshot))
  const mustBeFree = async (path: string): Promise<void> => {
    if (await exists(path)) throw conflict(`Volume "${path.slice(mount.length + 1)}" already exists`)
  }
  const mustExist = async (path: string): Promise<void> => {
    if (!(await exists(path))) throw notFound('Storage volume not found')
  }

  return {
    name: ctx.pool,
    driver: driver.name,
    config: ctx.config,
    instancePath: (project, instance) => instanceVolumePath(mount, project, instance),
    snapshotPath,

    async createInstanceFromImage({ project, instance, fingerprint, unpack }) {
      const target = instanceVolumePath(mount, project, instance)
      await mustBeFree(target)
      if (driver.cachesImages) {
        const image = await ensureImageVolume(work, fingerprint, unpack)
        const spares = keepsSpares(driver)
        if (!(spares && (await takeSpare(image, target))))
          await driver.copyVolume(ctx, image, target, { readOnly: false })
        // An image cached before its volume was kept private passes its mode on: tighten at once.
        await chmod(target, 0o700)
        if (spares) refillSpare(driver, ctx, image)
        return
      }
      await createVolumePrivately(work, safe(volumeName(project, instance)), unpack)
    },

    async createInstanceFromPasses({ project, instance, fill }) {
      await mustBeFree(instanceVolumePath(mount, project, instance))
      const made: string[] = []
      try {
        await createVolumePrivately(work, safe(volumeName(project, instance)), (dir) =>
          fill(dir, async (snapshot) => {
            const dst = snapshotPath(project, instance, snapshot)
            await mustBeFree(dst)
            // The copy keeps the top directory's owner and mode: root's and private, whatever was received.
            await chown(dir, 0, 0)
            await chmod(dir, 0o700)
            await mkdir(snapshotsDir(mount, project, instance), { recursive: true, mode: 0o700 })
            await driver.copyVolume(ctx, dir, dst, { readOnly: true })
            made.push(dst)
          }),
        )
      } catch (err) {
        for (const dst of made) await driver.deleteVolume(ctx, dst).catch(() => undefined)
        await rmdir(snapshotsDir(mount, project, instance)).catch(() => undefined)
        throw err
      }
    },

    async deleteInstance(project, instance) {
      await recoverVolume(work, safe(volumeName(project, instance)))
      const snaps = snapshotsDir(mount, project, instance)
      if (await exists(snaps)) {
        for (const s of await readdir(snaps)) await driver.deleteVolume(ctx, join(snaps, s))
        await rmdir(snaps)
      }
      await driver.deleteVolume(ctx, instanceVolumePath(mount, project, instance))
    },

    async renameInstance(project, from, to) {
      const [src, dst] = [instanceVolumePath(mount, project, from), instanceVolumePath(mount, project, to)]
      const [srcSnaps, dstSnaps] = [snapshotsDir(mount, project, from), snapshotsDir(mount, project, to)]
      await recoverVolume(work, safe(volumeName(project, from)))
      await mustExist(src)
      await mustBeFree(dst)
      await mustBeFree(dstSnaps)
      await fs.rename(src, dst)
      if (await exists(srcSnaps)) {
        try {
          await fs.rename(srcSnaps, dstSnaps)
        } catch (err) {
          await fs.rename(dst, src)
          throw err
        }
      }
    },

    async createSnapshot(project, instance, snapshot) {
      const src = instanceVolumePath(mount, project, instance)
      const dst = snapshotPath(project, instance, snapshot)
      await mustExist(src)
      await mustBeFree(dst)
      await mkdir(snapshotsDir(mount, project, instance), { recursive: true, mode: 0o700 })
      await driver.copyVolume(ctx, src, dst, { readOnly: true })
    },

    async deleteSnapshot(project, instance, snapshot) {
      await driver.deleteVolume(ctx, snapshotPath(project, instance, snapshot))
      await rmdir(snapshotsDir(mount, project, instance)).catch(() => undefined)
    },

    async renameSnapshot(project, instance, from, to) {
      const [src, dst] = [snapshotPath(project, instance, from), snapshotPath(project, instance, to)]
      await mustExist(src)
      await mustBeFree(dst)
      await fs.rename(src, dst)
    },

    async restoreSnapshot(project, instance, snapshot) {
      const volume = safe(volumeName(project, instance))
      const snap = snapshotPath(project, instance, snapshot)
      await mustExist(snap)
      // Finishes or undoes a restore that a kill interrupted, before the volume is checked.
      await recoverVolume(work, volume)
      await mustExist(instanceVolumePath(mount, project, instance))
      await replaceVolume(work, volume, snap)
    },

    async deleteImageVolume(fingerprint) {
      if (!driver.cachesImages) return
      const image = imageVolumePath(mount, fingerprint)
      if (keepsSpares(driver)) await dropSpare(driver, ctx, image)
      await driver.deleteVolume(ctx, image)
    },

    async recover() {
      const tidied = await recoverVolumes(work)
      // Custom volumes are restored the same way (storage/custom-volumes.ts), beside them in custom/.
      tidied.push(
        ...(await recoverVolumes({ ...work, dir: join(mount, 'custom') })).map((v) => `custom/${v}`),
      )
      // An image volume whose unpack was killed is incomplete; the next create unpacks it again
      // (and a spare copy whose making was killed is made again).
      const images = join(mount, 'images')
      for (const entry of await readdir(images).catch(() => [] as string[])) {
        if (!entry.endsWith('.partial') || isRefilling(join(images, entry))) continue
        await driver.deleteVolume(ctx, join(images, entry))
        tidied.push(`images/${entry}`)
      }
      return tidied
    },
  }
}

/** The driver context of a stored pool. */
export function driverContext(state: State, record: StoragePoolRecord): DriverContext {
  return {
    host: state.host,
    pool: record.name,
    config: record.config,
    mountPath: poolMountPath(state.paths.dir, record.name),
    stateDir: state.paths.dir,
  }
}

/** Pools that failed to mount at start, per daemon. */
const unavailable = new WeakMap<State, Set<string>>()

/** The names of pools that could not be mounted at start. */
export function unavailablePools(state: State): Set<string> {
  let set = unavailable.get(state)
  if (!set) unavailable.set(state, (set = new Set()))
  return set
}

/** Loads a pool by name (404 "Storage pool not found"). */
export function loadPool(state: State, name: string): Pool {
  const record = getStoragePool(state.db, name)
  if (unavailablePools(state).has(name))
    throw new ApiError(503, `Storage pool "${name}" is unavailable on this server`)
  return makePool(findStorageDriver(record.driver), driverContext(state, record))
}

/**
 * Mounts every pool at daemon start, then sweeps what a killed daemon left half done in it;
 * logs and marks a pool unavailable instead of failing start.
 */
export async function mountPools(state: State): Promise<void> {
  for (const record of listStoragePools(state.db)) {
    const driver = findStorageDriver(record.driver)
    const ctx = driverContext(state, record)
    try {
      await driver.mount(ctx)
      unavailablePools(state).delete(record.name)
    } catch (err) {
      unavailablePools(state).add(record.name)
      state.log.error('Failed mounting storage pool', { pool: record.name, err: String(err) })
      continue
    }
    try {
      const tidied = await makePool(driver, ctx).recover()
      if (tidied.length > 0)
        state.log.warn('Recovered interrupted volume work', { pool: record.name, volumes: tidied.join(',') })
    } catch (err) {
      state.log.error('Failed recovering storage pool volumes', { pool: record.name, err: String(err) })
    }
  }
}
