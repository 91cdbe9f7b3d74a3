/** @module Btrfs subvolume helpers: detection and recursive deletion. */
import { stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type { DriverContext } from '../driver.js'

/** Inode number of every btrfs subvolume's root directory. */
const subvolumeRootInode = 256

/** True when path is the root of a btrfs subvolume. */
export async function isSubvolume(path: string): Promise<boolean> {
  const st = await stat(path)
  return st.isDirectory() && st.ino === subvolumeRootInode
}

/** Deletes a subvolume and any subvolumes nested in it (deepest first), read-only ones too. */
export async function deleteSubvolume(ctx: DriverContext, path: string): Promise<void> {
  const { stdout } = await ctx.host.run('btrfs', ['subvolume', 'list', ctx.mountPath])
  const rel = relative(ctx.mountPath, path)
  const nested = stdout
    .split('\n')
    .map((l) => /\bpath (.+)$/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/^<FS_TREE>\//, ''))
    .filter((p) => p.startsWith(`${rel}/`))
    .sort((a, b) => b.length - a.length)
  for (const p of nested) await deleteOne(ctx, join(ctx.mountPath, p))
  await deleteOne(ctx, path)
}

async function deleteOne(ctx: DriverContext, path: string): Promise<void> {
  await ctx.host.run('btrfs', ['property', 'set', '-ts', path, 'ro', 'false']).catch(() => undefined)
  await ctx.host.run('btrfs', ['subvolume', 'delete', path])
}
