/**
 * @module What a migration may bring: the same device nodes an image may carry (LXC's allow-list,
 * under rootfs/dev only). rsync creates what the sender lists, so the received tree is checked
 * before it becomes a snapshot or an instance.
 */
import { lstat, readdir } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { deviceReason } from '../../image/tar.js'

/** Linux's split of a device number. */
function majorMinor(rdev: bigint): string {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)
  return `${major},${minor}`
}

/** Throws when `dir` (a received volume) holds a device node containers may not use. */
export async function checkReceivedDevices(dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  for (const e of entries) {
    if (!e.isBlockDevice() && !e.isCharacterDevice()) continue
    const path = join(e.parentPath, e.name)
    const rel = relative(dir, path).split(sep).join('/')
    const st = await lstat(path, { bigint: true })
    const inRootfs = rel.startsWith('rootfs/') ? rel.slice('rootfs/'.length) : undefined
    const why = deviceReason(
      { name: rel, type: e.isBlockDevice() ? 'b' : 'c', device: majorMinor(st.rdev) },
      inRootfs,
    )
    if (why) throw new Error(why.replace(/^Image member/, 'Migrated file'))
  }
}

/** What each top-level entry of an instance volume must be; anything else may not be a symlink. */
const layout: Record<string, (st: Stats) => boolean> = {
  rootfs: (st) => st.isDirectory(),
  templates: (st) => st.isDirectory(),
  'metadata.yaml': (st) => st.isFile(),
  'backup.yaml': (st) => st.isFile(),
}

/**
 * Throws unless the received volume has the instance layout: `rootfs` a real directory (a
 * symlink to / would give the container, the file API and publish the host's tree), templates
 * a directory, metadata a regular file, and no other symlink at the top.
 */
export async function checkReceivedLayout(dir: string): Promise<void> {
  const rootfs = await lstat(join(dir, 'rootfs')).catch(() => undefined)
  if (!rootfs?.isDirectory()) throw new Error('Migrated instance has no rootfs directory')
  for (const name of await readdir(dir)) {
    const st = await lstat(join(dir, name))
    const ok = layout[name]
    if (ok ? !ok(st) : st.isSymbolicLink())
      throw new Error(`Migrated file "${name}" has the wrong type for the instance layout`)
  }
}
