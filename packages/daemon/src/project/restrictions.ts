/**
 * @module What a restricted project allows (LXD 5.0.2's `restricted.*` rules, and where Corral is
 * stricter), checked over every instance's expanded config and devices and every profile of the
 * project. Pure: the caller loads the entities and says how to resolve a host path.
 */
import { ApiError } from '@corral/api'
import { isTrue } from '../config/validate.js'
import { parseRawIdmap } from '../instance/raw-idmap.js'
import { parseSize } from '../util/size.js'
import { projectKeys } from './keys.js'

/** One instance (its expanded config and devices) or one profile (its own). */
export interface RestrictedEntity {
  kind: 'container' | 'profile'
  name: string
  config: Readonly<Record<string, string>>
  devices: Readonly<Record<string, Readonly<Record<string, string>>>>
}

/** What the checks need from the host: the managed networks, and how to resolve a host path. */
export interface RestrictionContext {
  /** Names of the managed networks. */
  managedNetworks: ReadonlySet<string>
  /** The path with every symlink resolved (a missing path resolves as far as it exists). */
  resolvePath(path: string): string
}

/** A project, as the checks read it. */
export interface ProjectView {
  name: string
  config: Readonly<Record<string, string>>
}

/** The wire error of a violated restriction. */
const forbidden = (message: string) => new ApiError(403, message)

/** A restriction's value in the project: as set, else LXD's default once restricted. */
export function restriction(project: ProjectView, key: string): string {
  return projectKeys.get(project.config, key)
}

/** True when the project has `restricted=true`. */
export function isRestricted(project: ProjectView): boolean {
  return isTrue(project.config.restricted)
}

/** LXD's low-level container keys (and the two seccomp keys Corral adds: they only weaken the policy). */
const lowLevelKeys = new Set([
  'boot.host_shutdown_timeout',
  'linux.kernel_modules',
  'raw.apparmor',
  'raw.idmap',
  'raw.lxc',
  'raw.seccomp',
  'security.devlxd.images',
  'security.idmap.base',
  'security.idmap.size',
  'security.syscalls.allow',
])

function isLowLevel(key: string, value: string): boolean {
  if (lowLevelKeys.has(key)) return true
  if (key === 'security.syscalls.deny_default') return !isTrue(value || 'true')
  return key.startsWith('security.syscalls.intercept.')
}

/** Host id ranges (`1000-1999` or `1000`) of restricted.idmap.uid / .gid. */
function idRanges(text: string): [number, number][] {
  return text
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const [a, b = a] = r.split('-')
      return [Number(a), Number(b)]
    })
}

function checkRawIdmap(project: ProjectView, entity: RestrictedEntity, value: string): void {
  const uids = idRanges(restriction(project, 'restricted.idmap.uid'))
  const gids = idRanges(restriction(project, 'restricted.idmap.gid'))
  const covered = (ranges: [number, number][], first: number, size: number) =>
    ranges.some(([a, b]) => first >= a && first + size - 1 <= b)
  parseRawIdmap(value).forEach((e, i) => {
    if ((e.uid && !covered(uids, e.host, e.size)) || (e.gid && !covered(gids, e.host, e.size)))
      throw forbidden(
        `Use of low-level "raw.idmap" element ${i} on ${entity.kind} "${entity.name}" of project "${project.name}" is forbidden`,
      )
  })
}

function checkConfig(project: ProjectView, entity: RestrictedEntity): void {
  const lowLevel = restriction(project, 'restricted.containers.lowlevel') === 'allow'
  const privilege = restriction(project, 'restricted.containers.privilege')
  for (const [key, value] of Object.entries(entity.config)) {
    if (!lowLevel && key === 'raw.idmap') checkRawIdmap(project, entity, value)
    else if (!lowLevel && isLowLevel(key, value))
      throw forbidden(
        `Use of low-level config "${key}" on ${entity.kind} "${entity.name}" of project "${project.name}" is forbidden`,
      )
    let reason = ''
    if (key === 'security.nesting' && isTrue(value))
      reason =
        restriction(project, 'restricted.containers.nesting') === 'block'
          ? 'Container nesting is forbidden'
          : ''
    if (key === 'security.privileged' && isTrue(value) && privilege !== 'allow')
      reason = 'Privileged containers are forbidden'
    // Left unset it is forced on; set to false it is refused.
    if (key === 'security.idmap.isolated' && privilege === 'isolated' && !isTrue(value))
      reason = 'Non-isolated containers are forbidden'
    if (reason)
      throw forbidden(
        `Invalid value "${value}" for config "${key}" on ${entity.kind} "${entity.name}" of project "${project.name}": ${reason}`,
      )
  }
}

/** The device types a restriction key turns off entirely, with LXD's reasons. */
const blockable: Record<string, [key: string, reason: string]> = {
  'unix-char': ['restricted.devices.unix-char', 'Unix character devices are forbidden'],
  'unix-block': ['restricted.devices.unix-block', 'Unix block devices are forbidden'],
  'unix-hotplug': ['restricted.devices.unix-hotplug', 'Unix hotplug devices are forbidden'],
  infiniband: ['restricted.devices.infiniband', 'Infiniband devices are forbidden'],
  gpu: ['restricted.devices.gpu', 'GPU devices are forbidden'],
  usb: ['restricted.devices.usb', 'USB devices are forbidden'],
  pci: ['restricted.devices.pci', 'PCI devices are forbidden'],
  proxy: ['restricted.devices.proxy', 'Proxy devices are forbidden'],
}

/** True when a project may use the network (LXD's NetworkAllowed): managed per the NIC mode, and in restricted.networks.access. */
export function networkAllowed(project: ProjectView, network: string, managed: boolean): boolean {
  if (!isRestricted(project)) return true
  const mode = restriction(project, 'restricted.devices.nic')
  if (mode === 'block' || (mode === 'managed' && !managed)) return false
  const access = restriction(project, 'restricted.networks.access')
  return (
    access === '' ||
    access
      .split(',')
      .map((n) => n.trim())
      .includes(network)
  )
}

/** True when the source, resolved, is below one of restricted.devices.disk.paths (all paths when unset). */
export function diskPathAllowed(
  project: ProjectView,
  source: string,
  ctx: Pick<RestrictionContext, 'resolvePath'>,
): boolean {
  const allowed = restriction(project, 'restricted.devices.disk.paths')
  if (!allowed) return true
  // Symlinks resolved on both sides: a link below an allowed directory cannot lead elsewhere.
  const real = `${ctx.resolvePath(source).replace(/\/+$/, '')}/`
  return allowed.split(',').some((p) => real.startsWith(`${ctx.resolvePath(p.trim()).replace(/\/+$/, '')}/`))
}

function deviceReason(
  project: ProjectView,
  device: Readonly<Record<string, string>>,
  ctx: RestrictionContext,
): string {
  const type = device.type ?? ''
  if (type === 'disk') {
    if (device.path === '/' && device.pool) return ''
    const mode = restriction(project, 'restricted.devices.disk')
    if (mode === 'block') return 'Disk devices are forbidden'
    if (mode === 'managed' && !device.pool) return 'Attaching disks not backed by a pool is forbidden'
    if (mode === 'allow' && device.source && !device.pool && !diskPathAllowed(project, device.source, ctx))
      return `Disk source path "${device.source}" not allowed`
    return ''
  }
  if (type === 'nic') {
    const mode = restriction(project, 'restricted.devices.nic')
    if (mode === 'block') return 'Network devices are forbidden'
    if (mode === 'managed' && !device.network) return 'Only managed network devices are allowed'
    if (device.network && !networkAllowed(project, device.network, ctx.managedNetworks.has(device.network)))
      return 'Network not allowed in project'
    if (!device.network && device.parent && !networkAllowed(project, device.parent, false))
      return 'Network not allowed in project'
    // Stricter than LXD 5.0.2: a route on a NIC is a route in the host's table.
    if (['ipv4.routes', 'ipv6.routes', 'ipv4.routes.external', 'ipv6.routes.external'].some((k) => device[k]))
      return 'Routes through a NIC are forbidden in restricted projects'
    return ''
  }
  const rule = blockable[type]
  return rule && restriction(project, rule[0]) !== 'allow' ? rule[1] : ''
}

function checkDevices(project: ProjectView, entity: RestrictedEntity, ctx: RestrictionContext): void {
  for (const [name, device] of Object.entries(entity.devices)) {
    const reason = deviceReason(project, device, ctx)
    if (reason)
      throw forbidden(
        `Invalid device "${name}" on ${entity.kind} "${entity.name}" of project "${project.name}": ${reason}`,
      )
  }
}

/** Throws 403 on the first entity that breaks the project's restrictions (nothing when it is not restricted). */
export function checkRestrictions(
  project: ProjectView,
  entities: readonly RestrictedEntity[],
  ctx: RestrictionContext,
): void {
  if (!isRestricted(project)) return
  for (const entity of entities) {
    checkConfig(project, entity)
    checkDevices(project, entity, ctx)
  }
}

/** Refuses a snapshot in a project whose restricted.snapshots is `block` (LXD's default once restricted). */
export function checkSnapshotsAllowed(project: ProjectView): void {
  if (isRestricted(project) && restriction(project, 'restricted.snapshots') === 'block')
    throw forbidden(`Project "${project.name}" doesn't allow for snapshot creation`)
}

/** The volatile keys a client may set in a project whose low-level keys are blocked (LXD's list). */
function isSafeVolatile(key: string): boolean {
  return (
    ['volatile.apply_template', 'volatile.base_image', 'volatile.last_state.power'].includes(key) ||
    key.endsWith('.apply_quota') ||
    key.endsWith('.hwaddr')
  )
}

/** Refuses client-set volatile keys a restricted project's low-level rule forbids (LXD's wording). */
export function checkVolatileKeys(
  project: ProjectView,
  instance: string,
  config: Record<string, string>,
): void {
  if (!isRestricted(project) || restriction(project, 'restricted.containers.lowlevel') === 'allow') return
  for (const key of Object.keys(config))
    if (key.startsWith('volatile.') && !isSafeVolatile(key))
      throw forbidden(`Setting "${key}" on container "${instance}" in project "${project.name}" is forbidden`)
}

/** The aggregate limits and what each instance contributes to them. */
const aggregates: Record<string, (e: RestrictedEntity) => string | undefined> = {
  'limits.cpu': (e) => e.config['limits.cpu'],
  'limits.memory': (e) => e.config['limits.memory'],
  'limits.processes': (e) => e.config['limits.processes'],
  'limits.disk': (e) => Object.values(e.devices).find((d) => d.type === 'disk' && d.path === '/')?.size,
}

function amount(key: string, value: string): number {
  if (key === 'limits.cpu') {
    if (!/^\d+$/.test(value)) throw new Error("CPUs can't be pinned if project limits are used")
    return Number(value)
  }
  if (key === 'limits.memory' && value.endsWith('%')) throw new Error("Value can't be a percentage")
  return key === 'limits.processes' ? Number(value) : parseSize(value)
}

/** A custom volume as the limits see it: its `size` counts towards `limits.disk`. */
export interface LimitedVolume {
  name: string
  config: Readonly<Record<string, string>>
}

/** The bytes the project's custom volumes take from `limits.disk` (each must set `size`, as in LXD). */
function volumeDisk(project: ProjectView, volumes: readonly LimitedVolume[]): number {
  let total = 0
  for (const v of volumes) {
    const size = v.config.size
    if (!size)
      throw forbidden(`Custom volume "${v.name}" in project "${project.name}" has no "size" config set`)
    total += parseSize(size)
  }
  return total
}

/**
 * Refuses instances over the project's count and aggregate limits (LXD's messages); `instances`
 * are the project's, expanded, and `volumes` its custom volumes (they count towards limits.disk).
 */
export function checkLimits(
  project: ProjectView,
  instances: readonly RestrictedEntity[],
  volumes: readonly LimitedVolume[] = [],
): void {
  for (const key of ['limits.instances', 'limits.containers'] as const) {
    const limit = project.config[key]
    if (limit && instances.length > Number(limit))
      throw forbidden(
        key === 'limits.instances'
          ? `Reached maximum number of instances in project "${project.name}"`
          : `Reached maximum number of instances of type "container" in project "${project.name}"`,
      )
  }
  for (const [key, contribution] of Object.entries(aggregates)) {
    const limit = project.config[key]
    if (!limit) continue
    let total = key === 'limits.disk' ? volumeDisk(project, volumes) : 0
    for (const inst of instances) {
      const value = contribution(inst)
      if (!value)
        throw forbidden(
          key === 'limits.disk'
            ? `Instance "${inst.name}" in project "${project.name}" has no "size" config set on the root device either directly or via a profile`
            : `Instance "${inst.name}" in project "${project.name}" has no "${key}" config, either directly or via a profile`,
        )
      try {
        total += amount(key, value)
      } catch (err) {
        throw forbidden(
          `Invalid value "${value}" for "${key}" on instance "${inst.name}": ${(err as Error).message}`,
        )
      }
    }
    if (total > amount(key, limit))
      throw forbidden(`Reached maximum aggregate value "${limit}" for "${key}" in project "${project.name}"`)
  }
}
