/**
 * @module A `disk` device with `pool` and `source`: a custom storage volume of the instance's
 * (volume) project, resolved to its path in the pool and mounted into the container idmapped,
 * as the root file system is, so the files keep one owner on disk whatever the instance's map.
 */
import { chmodSync, chownSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { badRequest } from '@corral/api'
import { isTrue } from '../config/validate.js'
import { getInstance } from '../db/instances.js'
import { getStoragePool } from '../db/storage-pools.js'
import { getVolume, type VolumeRecord } from '../db/storage-volumes.js'
import { expandedOf } from '../instance/expanded.js'
import { hostRootGid, hostRootUid, type IdmapEntry } from '../instance/idmap.js'
import { idmapOf } from '../instance/idmap-alloc.js'
import { lxcName } from '../instance/lxc/paths.js'
import type { State } from '../state.js'
import { volumeInstances, volumePath, volumeProjectOf } from '../storage/custom-volumes.js'
import { validateVolumeName } from '../storage/volume-path.js'
import type { DeviceConfig, DeviceContext, RunConfig, ValidateContext } from './device.js'

/** True for a disk that names a custom volume (`pool` and `source`, not the root disk). */
export function isVolumeDisk(config: DeviceConfig): boolean {
  return Boolean(config.pool) && Boolean(config.source) && config.path !== '/'
}

/** Looks the volume up in the pool, in the project whose volumes the instance's project uses. */
function findVolume(state: Pick<State, 'db'>, project: string, config: DeviceConfig): VolumeRecord {
  getStoragePool(state.db, config.pool!)
  try {
    return getVolume(state.db, config.pool!, volumeProjectOf(state as State, project), config.source!)
  } catch {
    throw badRequest(`Storage volume "${config.source}" not found in pool "${config.pool}"`)
  }
}

/**
 * Checks a volume disk: a valid volume name (never a path: it cannot reach the host), and with
 * an instance, that the volume exists where that instance's project keeps its volumes.
 */
export function validateVolumeDisk(config: DeviceConfig, ctx?: ValidateContext): void {
  if (!config.source) throw badRequest('Disk entry is missing the required "source" or "path" property')
  try {
    validateVolumeName(config.source)
  } catch (err) {
    throw badRequest(`Invalid storage volume source "${config.source}": ${(err as Error).message}`)
  }
  if (ctx) findVolume({ db: ctx.db }, ctx.instance.project, config)
}

const sameMap = (a: IdmapEntry[], b: IdmapEntry[]) => JSON.stringify(a) === JSON.stringify(b)

/**
 * Refuses a volume shared with an instance that has another idmap, with LXD's message, unless
 * the volume has security.shifted=true: each mount maps the same on-disk owners into its own
 * namespace, and only an explicit opt-in lets two differently mapped instances write one tree.
 */
function checkSharedMaps(
  state: State,
  vol: VolumeRecord,
  self: { project: string; name: string },
  map: IdmapEntry[],
) {
  if (isTrue(vol.config['security.shifted'])) return
  for (const { inst } of volumeInstances(state, vol)) {
    if (inst.project === self.project && inst.name === self.name) continue
    const other = idmapOf(expandedOf(state, inst).config)
    if (!sameMap(map, other))
      throw badRequest(
        `Idmaps of container "${inst.name}" and storage volume "${vol.name}" are not identical`,
      )
  }
}

/**
 * Bind-mounts the volume at `devices/<instance>/volume.<device>/mnt` as host root (recorded
 * first) and returns the idmapped LXC mount entry for it. The pool's custom/ directory is root
 * only; the stage's parent belongs to the container's root with mode 0100, so LXC (as that
 * root) can reach the stage, and no other host user can.
 */
export async function stageVolume(ctx: DeviceContext): Promise<RunConfig> {
  const { state, inst, device, config } = ctx
  const vol = findVolume(state, inst.project, config)
  const fresh = getInstance(state.db, inst.project, inst.name)
  const map = idmapOf({ ...expandedOf(state, fresh).config, ...fresh.config })
  checkSharedMaps(state, vol, inst, map)
  const base = join(state.paths.dir, 'devices', lxcName(inst.project, inst.name))
  const guard = join(base, `volume.${device}`)
  if (dirname(guard) !== base) throw new Error(`Refusing device name ${JSON.stringify(device)} as a path`)
  const stage = join(guard, 'mnt')
  mkdirSync(base, { recursive: true, mode: 0o711 })
  const source = volumePath(state, vol)
  await ctx.record.apply({ kind: 'mount', device, path: stage }, async () => {
    mkdirSync(guard, { recursive: true, mode: 0o100 })
    chownSync(guard, hostRootUid(map), hostRootGid(map))
    chmodSync(guard, 0o100)
    mkdirSync(stage, { recursive: true, mode: 0o700 })
    await state.host.run('mount', ['--bind', source, stage])
  })
  const readonly = isTrue(config.readonly)
  if (readonly) await state.host.run('mount', ['-o', 'remount,bind,ro', stage])
  return {
    mounts: [
      {
        source: stage,
        target: config.path!.replace(/^\/+/, ''),
        readonly,
        file: false,
        idmap: map.length > 0,
      },
    ],
  }
}
