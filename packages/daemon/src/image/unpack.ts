/** @module Unpacks a stored image into a directory with GNU tar, owners and xattrs preserved. */
import { existsSync } from 'node:fs'
import { lstat, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { State } from '../state.js'
import { imageFile, isSplit, rootfsFile } from './store.js'

/** GNU tar's extraction flags: numeric owners, xattrs, modes, sparse files; symlinks are never followed. */
export const unpackFlags: readonly string[] = [
  '--numeric-owner',
  '--xattrs',
  '--xattrs-include=*',
  '--same-permissions',
  '--same-owner',
  '--sparse',
]

/** Unpacks an image so that `target/metadata.yaml`, `target/templates/` (if any) and `target/rootfs/` exist. */
export async function unpackImage(state: State, fingerprint: string, target: string): Promise<void> {
  const file = imageFile(state, fingerprint)
  if (!existsSync(file)) throw new Error(`Image "${fingerprint}" has no file in the image store`)
  await mkdir(target, { recursive: true, mode: 0o700 })
  const opts = { timeoutMs: 30 * 60_000 }
  await state.host.run('tar', [...unpackFlags, '-C', target, '-xf', file], opts)
  if (isSplit(state, fingerprint)) {
    const rootfs = join(target, 'rootfs')
    const existing = await lstat(rootfs).catch(() => undefined)
    if (existing && !existing.isDirectory())
      throw new Error(`Image "${fingerprint}" metadata holds a rootfs that is not a directory`)
    await mkdir(rootfs, { recursive: true, mode: 0o755 })
    await state.host.run('tar', [...unpackFlags, '-C', rootfs, '-xf', rootfsFile(state, fingerprint)], opts)
  }
  // Defence in depth behind the upload checks: the layout must be a real file and a real directory.
  const rootfs = await lstat(join(target, 'rootfs')).catch(() => undefined)
  const meta = await lstat(join(target, 'metadata.yaml')).catch(() => undefined)
  if (!rootfs?.isDirectory()) throw new Error(`Image "${fingerprint}" unpacked without a rootfs/ directory`)
  if (!meta?.isFile()) throw new Error(`Image "${fingerprint}" unpacked without a metadata.yaml file`)
}
