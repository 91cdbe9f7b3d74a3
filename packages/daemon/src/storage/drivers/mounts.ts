/** @module Mount helpers shared by the drivers, through the host seam. */
import { chmod, mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { CommandRunner } from '../../host/runner.js'

/** The directories every pool holds, as in LXD's layout. */
export const poolLayout = ['containers', 'containers-snapshots', 'images'] as const

/** True when path is a mount point. */
export async function isMountPoint(host: CommandRunner, path: string): Promise<boolean> {
  try {
    await host.run('mountpoint', ['-q', path])
    return true
  } catch {
    return false
  }
}

/** Unmounts path if it is a mount point. */
export async function unmountIfMounted(host: CommandRunner, path: string): Promise<void> {
  if (await isMountPoint(host, path)) await host.run('umount', [path])
}

/** Creates the pool's layout directories under its mount. */
export async function createLayout(mountPath: string): Promise<void> {
  for (const d of poolLayout) {
    // Cached images keep their setuid files as on disk (idmapped rootfs): nobody but root may reach them.
    // Containers need to traverse only containers/ to reach their own volume.
    const mode = d === 'images' ? 0o700 : 0o711
    await mkdir(join(mountPath, d), { recursive: true, mode })
    await chmod(join(mountPath, d), mode)
  }
}

/** True when a directory is missing or empty. */
export async function isEmptyDir(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length === 0
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true
    throw err
  }
}

/** Removes a path recursively; no error when absent. */
export async function removeTree(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true })
}
