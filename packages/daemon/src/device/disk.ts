/** @module The `disk` device: the root disk (a storage pool) or a host path bind-mounted in. */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ApiError, badRequest } from '@corral/api'
import { defineKeys } from '../config/key.js'
import { isBool, isSingleLine, isTrue } from '../config/validate.js'
import { getProject } from '../db/projects.js'
import { resolveHostPath } from '../host/paths.js'
import { lxcName } from '../instance/lxc/paths.js'
import { diskPathAllowed, isRestricted } from '../project/restrictions.js'
import type { DeviceContext, DeviceDriver, RunConfig } from './device.js'
import { isVolumeDisk, stageVolume, validateVolumeDisk } from './disk-volume.js'
import { deviceKeyMessages } from './messages.js'

const absolute = (value: string): void => {
  if (!value.startsWith('/')) throw new Error('Must be an absolute path')
  isSingleLine(value)
}

/** LXD's `disk` device type (root disk and host bind mounts). */
export const diskDevice: DeviceDriver = {
  match: { type: 'disk' },
  keys: defineKeys(
    'devices',
    {
      path: {
        type: 'string',
        validate: absolute,
        short: 'Path inside the instance where the disk is mounted',
      },
      source: {
        type: 'string',
        validate: isSingleLine,
        short: 'Host path to bind-mount (file or directory), or with `pool` the custom volume',
      },
      pool: {
        type: 'string',
        short: 'Storage pool of the root disk, or of the custom volume named by `source`',
      },
      readonly: { type: 'bool', validate: isBool, default: 'false', short: 'Mount read-only' },
      required: { type: 'bool', default: 'true', short: 'Fail when the source is missing' },
      size: { type: 'string', short: 'Size of the root disk (where the pool supports quotas)' },
    },
    deviceKeyMessages,
  ),
  validate(config, ctx) {
    if (!config.path) throw badRequest('Disk entry is missing the required "path" property')
    if (config.path === '/') {
      if (!config.pool) throw badRequest('Root disk entry must have a "pool" property set')
      if (config.source) throw badRequest('Root disk entry may not have a "source" property set')
      return
    }
    if (!config.source) throw badRequest('Disk entry is missing the required "source" or "path" property')
    if (config.pool) return validateVolumeDisk(config, ctx)
    if (!config.source.startsWith('/')) throw badRequest('Source must be an absolute host path')
  },
  // Staged mounts (host paths, volumes) go into a running container and out again (see lxc/mount-inject.ts).
  hotplug: true,
  start: (ctx) => (isVolumeDisk(ctx.config) ? stageVolume(ctx) : stageHostPath(ctx)),
}

/** Where an instance's staged mounts live: `$CORRAL_DIR/devices/<lxc name>/disk.<device>`. */
function stagePath(ctx: DeviceContext): { base: string; stage: string } {
  const base = join(ctx.state.paths.dir, 'devices', lxcName(ctx.inst.project, ctx.inst.name))
  const stage = join(base, `disk.${ctx.device}`)
  if (dirname(stage) !== base) throw new Error(`Refusing device name ${JSON.stringify(ctx.device)} as a path`)
  return { base, stage }
}

/**
 * Mounts a host-path disk at devices/<instance>/disk.<device> as host root (recorded first) and
 * returns the LXC mount entry for it. LXC mounts entries as the container's root, which cannot
 * reach a source below a private directory (e.g. under /root); this staging mount can, as LXD
 * does it. The source is resolved now, and a restricted project's disk.paths rule is checked on
 * exactly that path; if its inode changes before mount(8) resolves it again, the mount is undone.
 */
async function stageHostPath(ctx: DeviceContext): Promise<RunConfig> {
  const d = ctx.config
  if (d.path === '/' || !d.source) return {}
  if (!existsSync(d.source)) {
    if (!isTrue(d.required ?? 'true')) return {}
    throw badRequest(`Missing source path "${d.source}" for disk device "${ctx.device}"`)
  }
  const source = resolveHostPath(d.source)
  const project = getProject(ctx.state.db, ctx.inst.project)
  if (isRestricted(project) && !diskPathAllowed(project, source, { resolvePath: resolveHostPath }))
    throw new ApiError(403, `Disk source path "${d.source}" not allowed`)
  const before = statSync(source)
  const file = !before.isDirectory()
  const { base, stage } = stagePath(ctx)
  mkdirSync(base, { recursive: true, mode: 0o711 })
  await ctx.record.apply({ kind: 'mount', device: ctx.device, path: stage }, async () => {
    if (file) writeFileSync(stage, '')
    else mkdirSync(stage, { recursive: true })
    await ctx.state.host.run('mount', ['--bind', source, stage])
  })
  const mounted = statSync(stage)
  if (mounted.dev !== before.dev || mounted.ino !== before.ino)
    throw badRequest(`Disk source "${d.source}" changed while it was being mounted`)
  if (isTrue(d.readonly)) await ctx.state.host.run('mount', ['-o', 'remount,bind,ro', stage])
  return {
    mounts: [{ source: stage, target: d.path!.replace(/^\/+/, ''), readonly: isTrue(d.readonly), file }],
  }
}
