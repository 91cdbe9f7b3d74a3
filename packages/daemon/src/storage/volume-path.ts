/** @module Custom volume names and their paths inside a pool, in LXD's layout (`custom/<project>_<volume>`). */
import { chmod, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { badRequest } from '@corral/api'
import { safe } from './volumes.js'

/**
 * The pool directories holding custom volumes and their snapshots: root only (0700). A volume
 * reaches an instance through a staged bind mount (device/disk-volume.ts), never through these.
 */
export const customDirs = ['custom', 'custom-snapshots'] as const

/** Validates a custom volume (or volume snapshot) name as LXD does, plus no dot names, whitespace or control characters. */
export function validateVolumeName(name: string, what = 'Storage volume'): void {
  if (name === '') throw badRequest('No name provided')
  if (name.includes('/')) throw badRequest(`${what} names may not contain slashes`)
  if (name.startsWith('.') || /[\s\p{Cc}\\]/u.test(name) || name.length > 63)
    throw badRequest(`Invalid ${what.toLowerCase()} name "${name}"`)
}

/** The volume's name on disk: `<project>_<volume>`, as LXD names custom volumes (project names have no underscore). */
export function customVolumeName(project: string, volume: string): string {
  return safe(`${project}_${volume}`)
}

/** The path of a custom volume: `<mount>/custom/<project>_<volume>`. */
export function customVolumePath(mount: string, project: string, volume: string): string {
  return join(mount, 'custom', customVolumeName(project, volume))
}

/** The directory of a custom volume's snapshots. */
export function customSnapshotsDir(mount: string, project: string, volume: string): string {
  return join(mount, 'custom-snapshots', customVolumeName(project, volume))
}

/** The path of one custom volume snapshot. */
export function customSnapshotPath(mount: string, project: string, volume: string, snapshot: string): string {
  return join(customSnapshotsDir(mount, project, volume), safe(snapshot))
}

/** Creates the custom volume directories of a pool (mode 0700) if they are missing. */
export async function ensureCustomDirs(mount: string): Promise<void> {
  for (const d of customDirs) {
    await mkdir(join(mount, d), { recursive: true, mode: 0o700 })
    await chmod(join(mount, d), 0o700)
  }
}
