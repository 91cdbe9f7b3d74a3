/** @module Copies of instance volumes: within a pool by the driver (a btrfs snapshot, a dir copy), across pools file by file. */
import { mkdir, stat } from 'node:fs/promises'
import { getStoragePool } from '../db/storage-pools.js'
import type { State } from '../state.js'
import { findStorageDriver } from './drivers/registry.js'
import type { DriverContext, StorageDriver } from './drivers/driver.js'
import { driverContext, loadPool } from './pool.js'
import { snapshotsDir } from './volumes.js'

/** An instance volume, or one of its snapshots, in a pool. */
export interface VolumeRef {
  pool: string
  project: string
  instance: string
  snapshot?: string
}

/** A pool's driver and context, for work the Pool seam does not offer. */
export function poolDriver(state: State, pool: string): { driver: StorageDriver; ctx: DriverContext } {
  const record = getStoragePool(state.db, pool)
  loadPool(state, pool) // 404 or 503 as for any other use of the pool
  return { driver: findStorageDriver(record.driver), ctx: driverContext(state, record) }
}

const exists = async (path: string): Promise<boolean> =>
  (await stat(path).catch(() => undefined)) !== undefined

/** The path of a volume reference. */
export function volumePath(state: State, ref: VolumeRef): string {
  const pool = loadPool(state, ref.pool)
  return ref.snapshot
    ? pool.snapshotPath(ref.project, ref.instance, ref.snapshot)
    : pool.instancePath(ref.project, ref.instance)
}

/** Copies one volume: the driver's own copy inside a pool, else a new volume filled with cp -a. */
async function copyOne(state: State, src: VolumeRef, dst: VolumeRef, readOnly: boolean): Promise<void> {
  const from = volumePath(state, src)
  const to = volumePath(state, dst)
  if (!(await exists(from))) throw new Error(`Volume "${from}" is missing`)
  const { driver, ctx } = poolDriver(state, dst.pool)
  if (src.pool === dst.pool) return driver.copyVolume(ctx, from, to, { readOnly })
  await driver.createVolume(ctx, to)
  try {
    await state.host.run('cp', ['-a', '--reflink=auto', `${from}/.`, `${to}/`], { timeoutMs: 3_600_000 })
    if (readOnly) await driver.setReadOnly(ctx, to)
  } catch (err) {
    await driver.deleteVolume(ctx, to).catch(() => undefined)
    throw err
  }
}

/**
 * Makes `dst` a copy of `src` (an instance or a snapshot) and of the named snapshots of `src`'s
 * instance; on failure everything made so far is removed. Leftover volumes of that name (a copy
 * killed before its row was written) are dropped first: the caller has checked no instance owns them.
 */
export async function copyInstanceVolumes(
  state: State,
  src: VolumeRef,
  dst: Omit<VolumeRef, 'snapshot'>,
  snapshots: readonly string[],
): Promise<void> {
  const target = loadPool(state, dst.pool)
  // Its snapshots' directory too: a snapshot copied onto a leftover btrfs subvolume would nest in it.
  await target.deleteInstance(dst.project, dst.instance)
  try {
    // Snapshots first, oldest first, so the instance volume is the newest, as a later snapshot expects.
    if (snapshots.length > 0) {
      const { ctx } = poolDriver(state, dst.pool)
      await mkdir(snapshotsDir(ctx.mountPath, dst.project, dst.instance), { recursive: true, mode: 0o700 })
    }
    for (const snap of snapshots)
      await copyOne(state, { ...src, snapshot: snap }, { ...dst, snapshot: snap }, true)
    await copyOne(state, src, dst, false)
  } catch (err) {
    await target.deleteInstance(dst.project, dst.instance).catch(() => undefined)
    throw err
  }
}
