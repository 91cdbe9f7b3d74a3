/** @module Crash-safe volume replacement and staging, and the sweep that finishes or undoes them after a kill. */
import { chmod, mkdir, open, readdir, rename, rmdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { DriverContext, StorageDriver } from './drivers/driver.js'

/** The file-system steps a pool takes itself; tests put crash points here. */
export interface PoolFs {
  /** rename(2): atomic within the pool, and the only step that changes which volume is live. */
  rename(from: string, to: string): Promise<void>
}

/** The real file system. */
export const realFs: PoolFs = { rename }

/**
 * Work directories kept beside the volumes of `containers/`, named after the volume they serve.
 * Volume names never start with a dot, so these can never be taken for a volume.
 */
export const workDirs = {
  /** The snapshot's copy that a restore renames into place. */
  restore: (volume: string): string => `.restore.${volume}`,
  /** The replaced volume, set aside by a restore until the copy is in place. */
  old: (volume: string): string => `.old.${volume}`,
  /** A private (0700) directory holding a volume while an image is unpacked into it. */
  create: (volume: string): string => `.create.${volume}`,
}

const workPattern = /^\.(restore|old|create)\.(.+)$/

const exists = async (path: string): Promise<boolean> =>
  (await stat(path).catch(() => undefined)) !== undefined

/** Flushes a directory's entries (the renames in it) to disk. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** What a replacement works with: the driver, its context, the file system and the volume's directory. */
export interface VolumeWork {
  driver: StorageDriver
  ctx: DriverContext
  fs: PoolFs
  /** The directory holding the volume and its work directories (`<mount>/containers`). */
  dir: string
}

/**
 * Brings one volume back to a state a restore or create left consistently: a restore killed
 * before its copy was in place is undone (the old volume is live again), one killed after is
 * finished; partial copies and staging directories are removed. Safe whenever no operation
 * runs on the volume; a no-op when nothing was left.
 */
export async function recoverVolume(work: VolumeWork, volume: string): Promise<void> {
  const { driver, ctx, fs, dir } = work
  const target = join(dir, volume)
  const old = join(dir, workDirs.old(volume))
  const fresh = join(dir, workDirs.restore(volume))
  const staged = join(dir, workDirs.create(volume))
  if (await exists(old)) {
    // Killed between the two renames: the old volume goes back (the restore never completed).
    if (!(await exists(target))) {
      await fs.rename(old, target)
      await syncDir(dir)
    }
    // Otherwise the restored copy is live and the old one is garbage.
    else await driver.deleteVolume(ctx, old)
  }
  await driver.deleteVolume(ctx, fresh)
  if (await exists(staged)) {
    await driver.deleteVolume(ctx, join(staged, 'volume'))
    await rmdir(staged)
  }
}

/** Runs recoverVolume() for every volume of `dir` that has work directories left. */
export async function recoverVolumes(work: VolumeWork): Promise<string[]> {
  const entries = await readdir(work.dir).catch(() => [] as string[])
  const volumes = new Set(entries.map((e) => workPattern.exec(e)?.[2]).filter((v) => v !== undefined))
  for (const volume of volumes) await recoverVolume(work, volume)
  return [...volumes]
}

/**
 * Replaces a volume's content with a copy of `source`, so that a kill at any point leaves either
 * the old or the new content in place (recoverVolume() tidies up): copy aside, rename the old
 * volume aside, rename the copy in, and only then delete the old volume.
 */
export async function replaceVolume(work: VolumeWork, volume: string, source: string): Promise<void> {
  const { driver, ctx, fs, dir } = work
  const target = join(dir, volume)
  const old = join(dir, workDirs.old(volume))
  const fresh = join(dir, workDirs.restore(volume))
  await recoverVolume(work, volume)
  await driver.copyVolume(ctx, source, fresh, { readOnly: false })
  try {
    await fs.rename(target, old)
  } catch (err) {
    await driver.deleteVolume(ctx, fresh)
    throw err
  }
  try {
    await fs.rename(fresh, target)
  } catch (err) {
    await fs.rename(old, target)
    await driver.deleteVolume(ctx, fresh)
    throw err
  }
  await syncDir(dir)
  await driver.deleteVolume(ctx, old)
}

/**
 * Creates a volume and fills it inside a private (0700) staging directory, then renames it into
 * place mode 0700: whatever modes the filling gives its top directory (tar applies the image's
 * `./`), no other user can reach a file in it until the caller sets the final owner and mode.
 */
export async function createVolumePrivately(
  work: VolumeWork,
  volume: string,
  fill: (path: string) => Promise<void>,
): Promise<void> {
  const { driver, ctx, fs, dir } = work
  const staged = join(dir, workDirs.create(volume))
  const inner = join(staged, 'volume')
  await recoverVolume(work, volume)
  await mkdir(staged, { mode: 0o700 })
  try {
    await chmod(staged, 0o700)
    await driver.createVolume(ctx, inner)
    await fill(inner)
    await chmod(inner, 0o700)
    await fs.rename(inner, join(dir, volume))
    await syncDir(dir)
  } catch (err) {
    await driver.deleteVolume(ctx, inner).catch(() => undefined)
    await rmdir(staged).catch(() => undefined)
    throw err
  }
  await rmdir(staged)
}
