/** @module Host-path disk devices: bind-mounted by host root under devices/, then into the container. */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { ApiError, badRequest } from '@corral/api'
import { getProject } from '../../db/projects.js'
import { diskPathAllowed, isRestricted } from '../../project/restrictions.js'
import { isTrue } from '../../config/validate.js'
import { resolveHostPath } from '../../host/paths.js'
import type { State } from '../../state.js'
import type { Expanded } from '../expand.js'
import type { MountEntry } from './lxc-config.js'
import { lxcName } from './paths.js'

/** Where an instance's device mounts live: `$CORRAL_DIR/devices/<lxc name>`. */
export function devicesDir(state: State, project: string, name: string): string {
  return join(state.paths.dir, 'devices', lxcName(project, name))
}

/**
 * Mounts each host-path disk device at devices/<instance>/disk.<device> as host root and
 * returns the LXC mount entries for them. LXC mounts entries as the container's root, which
 * cannot reach a source below a private directory (e.g. under /root); this staging mount can,
 * as LXD does it.
 */
export async function mountDiskDevices(
  state: State,
  inst: { project: string; name: string },
  devices: Expanded['devices'],
): Promise<MountEntry[]> {
  await unmountDiskDevices(state, inst)
  const base = devicesDir(state, inst.project, inst.name)
  // A restricted project's disk.paths rule, on exactly the path about to be mounted.
  const project = getProject(state.db, inst.project)
  const pathAllowed = (source: string) =>
    !isRestricted(project) || diskPathAllowed(project, source, { resolvePath: resolveHostPath })
  const entries: MountEntry[] = []
  for (const [device, d] of Object.entries(devices)) {
    if (d.type !== 'disk' || d.path === '/' || !d.source) continue
    if (!existsSync(d.source)) {
      if (!isTrue(d.required ?? 'true')) continue
      throw badRequest(`Missing source path "${d.source}" for disk device "${device}"`)
    }
    // The path as the kernel resolves it now (what a project's disk.paths rule was checked on),
    // and its inode: if a symlink is swapped before mount(8) resolves it again, the mount is
    // of something else, and is undone.
    const source = resolveHostPath(d.source)
    if (!pathAllowed(source)) throw new ApiError(403, `Disk source path "${d.source}" not allowed`)
    const before = statSync(source)
    const file = !before.isDirectory()
    mkdirSync(base, { recursive: true, mode: 0o711 })
    const stage = join(base, `disk.${device}`)
    if (dirname(stage) !== base) throw new Error(`Refusing device name ${JSON.stringify(device)} as a path`)
    if (file) writeFileSync(stage, '')
    else mkdirSync(stage, { recursive: true })
    await state.host.run('mount', ['--bind', source, stage])
    const mounted = statSync(stage)
    if (mounted.dev !== before.dev || mounted.ino !== before.ino) {
      await state.host.run('umount', [stage])
      throw badRequest(`Disk source "${d.source}" changed while it was being mounted`)
    }
    if (isTrue(d.readonly)) await state.host.run('mount', ['-o', 'remount,bind,ro', stage])
    entries.push({ source: stage, target: d.path!.replace(/^\/+/, ''), readonly: isTrue(d.readonly), file })
  }
  return entries
}

/** Unmounts and removes an instance's staged device mounts (after a stop, before a start, at delete). */
export async function unmountDiskDevices(
  state: State,
  inst: { project: string; name: string },
): Promise<void> {
  const base = devicesDir(state, inst.project, inst.name)
  if (!existsSync(base)) return
  for (const entry of readdirSync(base)) {
    const stage = join(base, entry)
    // Unmount every stacked mount, then remove only the empty stage itself: a recursive remove
    // would walk into a mount still in place and delete the host source's files.
    for (let i = 0; i < 16; i++) {
      try {
        await state.host.run('umount', [stage])
      } catch {
        break
      }
    }
    try {
      if (lstatSync(stage).isDirectory()) rmdirSync(stage)
      else unlinkSync(stage)
    } catch (err) {
      state.log.warn('Left a device stage in place', { path: stage, err: String(err) })
    }
  }
  try {
    rmdirSync(base)
  } catch {
    // Something is still mounted inside; it stays rather than risk the host's files.
  }
}
