/** @module Volume names and paths inside a pool, in LXD's layout. */
import { join } from 'node:path'
import { badRequest } from '@corral/api'

/** LXD's volume name: `<instance>` in project default, `<project>_<instance>` otherwise. */
export function volumeName(project: string, instance: string): string {
  return project === 'default' ? instance : `${project}_${instance}`
}

/** The mount point of a pool under the state directory. */
export function poolMountPath(stateDir: string, pool: string): string {
  return join(stateDir, 'storage-pools', pool)
}

/** The path of an instance volume: `<mount>/containers/<volume>`. */
export function instanceVolumePath(mount: string, project: string, instance: string): string {
  return join(mount, 'containers', safe(volumeName(project, instance)))
}

/** The directory holding an instance's snapshot volumes. */
export function snapshotsDir(mount: string, project: string, instance: string): string {
  return join(mount, 'containers-snapshots', safe(volumeName(project, instance)))
}

/** The path of a cached image volume: `<mount>/images/<fingerprint>`. */
export function imageVolumePath(mount: string, fingerprint: string): string {
  if (!/^[0-9a-f]{1,64}$/.test(fingerprint)) throw badRequest(`Invalid image fingerprint "${fingerprint}"`)
  return join(mount, 'images', fingerprint)
}

/** Refuses names that would escape their directory. */
export function safe(name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.startsWith('.'))
    throw badRequest(`Invalid volume name "${name}"`)
  return name
}
