/** @module Unpacks a stored image into a directory with GNU tar (or unsquashfs), owners and xattrs preserved. */
import { existsSync } from 'node:fs'
import { chmod, lstat, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { State } from '../state.js'
import { unpackSquashfs } from './squashfs.js'
import { imageFile, isSplit, rootfsFile } from './store.js'
import { detectExtension } from './tar.js'

/** GNU tar's extraction flags: numeric owners, xattrs, modes, sparse files; symlinks are never followed. */
export const unpackFlags: readonly string[] = [
  '--numeric-owner',
  '--xattrs',
  '--xattrs-include=*',
  '--same-permissions',
  '--same-owner',
  '--sparse',
]

/**
 * Runs GNU tar under umask 022, so the parent directories an archive has no entry for are made
 * 0755 as LXD's tar makes them, whatever corrald's own umask is (tar takes it for those).
 */
async function untar(state: State, dir: string, file: string): Promise<void> {
  await state.host.run(
    'sh',
    ['-c', 'umask 022 && exec tar "$@"', 'tar', ...unpackFlags, '-C', dir, '-xf', file],
    {
      timeoutMs: 30 * 60_000,
    },
  )
}

/** Unpacks an image so that `target/metadata.yaml`, `target/templates/` (if any) and `target/rootfs/` exist. */
export async function unpackImage(state: State, fingerprint: string, target: string): Promise<void> {
  const file = imageFile(state, fingerprint)
  if (!existsSync(file)) throw new Error(`Image "${fingerprint}" has no file in the image store`)
  await mkdir(target, { recursive: true, mode: 0o700 })
  await untar(state, target, file)
  if (isSplit(state, fingerprint)) {
    const rootfs = join(target, 'rootfs')
    const existing = await lstat(rootfs).catch(() => undefined)
    if (existing && !existing.isDirectory())
      throw new Error(`Image "${fingerprint}" metadata holds a rootfs that is not a directory`)
    if (!existing) {
      await mkdir(rootfs)
      // mkdir's mode is masked by corrald's umask; the archive's own `./` entry, if any, wins.
      await chmod(rootfs, 0o755)
    }
    const rootfsArchive = rootfsFile(state, fingerprint)
    if ((await detectExtension(rootfsArchive)) === '.squashfs')
      await unpackSquashfs(state, rootfsArchive, rootfs)
    else await untar(state, rootfs, rootfsArchive)
  }
  // Defence in depth behind the upload checks: the layout must be a real file and a real directory.
  const rootfs = await lstat(join(target, 'rootfs')).catch(() => undefined)
  const meta = await lstat(join(target, 'metadata.yaml')).catch(() => undefined)
  if (!rootfs?.isDirectory()) throw new Error(`Image "${fingerprint}" unpacked without a rootfs/ directory`)
  if (!meta?.isFile()) throw new Error(`Image "${fingerprint}" unpacked without a metadata.yaml file`)
}
