/**
 * @module What a migration may bring: the same device nodes an image may carry (LXC's allow-list,
 * under rootfs/dev only). rsync creates what the sender lists, so the received tree is checked
 * before it becomes a snapshot or an instance.
 */
import { lstat, readdir } from 'node:fs/promises'
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
