/**
 * @module A copy of an image volume made ahead of the next instance created from it, on pools
 * whose copies cost a system call per file (dir). Creating a busybox instance is 268 symlinks,
 * which ext4 makes slowly right after a delete freed a tree (100 ms against 10 ms measured
 * here): the copy is made in the background after a create, and the next create of that
 * image takes it with one rename. Copy-on-write pools (btrfs) snapshot in O(1) and keep none.
 */
import { lstat, readdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { DriverContext, StorageDriver } from './drivers/driver.js'

/** Images larger than this keep no spare copy: their copy is dominated by data, not by files. */
const maxSpareBytes = 256 << 20

const refilling = new Map<string, Promise<void>>()

/** Where an image volume's spare copy lives: beside it in the private images/ directory. */
export const sparePath = (image: string): string => `${image}.spare`

/** Whether the driver's copies are made file by file, so that a spare copy pays. */
export const keepsSpares = (driver: StorageDriver): boolean => driver.cachesImages && !driver.copyOnWrite

/** Renames the image's spare copy to `target`; false when there was none (another create took it). */
export async function takeSpare(image: string, target: string): Promise<boolean> {
  try {
    await rename(sparePath(image), target)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}

/** The bytes of a tree, counted until they pass `limit` (then more than it). */
async function treeBytes(dir: string, limit: number): Promise<number> {
  let total = 0
  const walk = async (path: string): Promise<void> => {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      if (total > limit) return
      const child = join(path, entry.name)
      if (entry.isDirectory()) await walk(child)
      else total += (await lstat(child)).size
    }
  }
  await walk(dir)
  return total
}

/**
 * Makes a new spare copy of the image volume in the background, one at a time per image: into
 * `<spare>.partial` (which the pool's recovery removes after a kill), then renamed into place.
 * A spare is a copy of an image volume, which never changes: it is as good as a new copy.
 */
export function refillSpare(driver: StorageDriver, ctx: DriverContext, image: string): void {
  if (refilling.has(image)) return
  const spare = sparePath(image)
  const partial = `${spare}.partial`
  const job = (async () => {
    // After the instance just created has started (a launch's second half), not beside it.
    await new Promise((resolve) => setTimeout(resolve, 300))
    if ((await lstat(spare).catch(() => undefined)) !== undefined) return
    if ((await treeBytes(image, maxSpareBytes)) > maxSpareBytes) return
    await driver.deleteVolume(ctx, partial)
    await driver.copyVolume(ctx, image, partial, { readOnly: false })
    // The image was deleted meanwhile: its spare goes too.
    if ((await lstat(image).catch(() => undefined)) === undefined) throw new Error('image gone')
    await rename(partial, spare)
  })()
    .catch(async () => {
      await driver.deleteVolume(ctx, partial).catch(() => undefined)
    })
    .finally(() => refilling.delete(image))
  refilling.set(image, job)
}

/** Whether `path` is the `.partial` of a spare copy being made now, in this process (recovery leaves it). */
export function isRefilling(path: string): boolean {
  return [...refilling.keys()].some((image) => path === `${sparePath(image)}.partial`)
}

/** Removes the image's spare copy (before the image volume itself), once a refill in flight has ended. */
export async function dropSpare(driver: StorageDriver, ctx: DriverContext, image: string): Promise<void> {
  await refilling.get(image)
  await driver.deleteVolume(ctx, `${sparePath(image)}.partial`)
  await driver.deleteVolume(ctx, sparePath(image))
}
