/** @module Which of the host's kernel interfaces LXD bind-mounts into containers exist on this host. */
import { statSync } from 'node:fs'

/** A host path to bind into the container at the same place (`optional`: a missing one is skipped). */
export interface BindSource {
  path: string
  /** A directory (bound recursively) rather than a device node. */
  dir: boolean
}

/**
 * LXD 5.0.2's list, in its order: FUSE and TUN devices, binfmt_misc, EFI variables, FUSE
 * connections, pstore, configfs, debugfs, securityfs, tracefs and the POSIX mqueue. Distributions'
 * mount units (sys-kernel-debug.mount and others) find a mount point there instead of failing.
 */
export const lxdBindPaths: readonly string[] = [
  '/dev/fuse',
  '/dev/net/tun',
  '/proc/sys/fs/binfmt_misc',
  '/sys/firmware/efi/efivars',
  '/sys/fs/fuse/connections',
  '/sys/fs/pstore',
  '/sys/kernel/config',
  '/sys/kernel/debug',
  '/sys/kernel/security',
  '/sys/kernel/tracing',
  '/dev/mqueue',
]

/** The entries of LXD's list present on this host, as LXD checks them at each start. */
export function presentBindSources(): BindSource[] {
  const out: BindSource[] = []
  for (const path of lxdBindPaths) {
    try {
      out.push({ path, dir: statSync(path).isDirectory() })
    } catch {
      // Not on this host (no EFI, no configfs, ...): LXD leaves it out too.
    }
  }
  return out
}
