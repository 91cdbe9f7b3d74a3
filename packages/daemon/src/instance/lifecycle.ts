/** @module Instance lifecycle: create from an image, start, stop, restart, rename, update, delete. */
import { randomUUID } from 'node:crypto'
import { chmodSync, chownSync, existsSync, renameSync, rmSync } from 'node:fs'
import { ApiError, badRequest, conflict, type Requestor } from '@corral/api'
import * as db from '../db/instances.js'
import { getProject } from '../db/projects.js'
import { checkVolatileKeys } from '../project/restrictions.js'
import { entityUrl, publishLifecycle } from '../events/lifecycle.js'
import { findImage, localCopy, unpackImage, type RemoteImageSource } from '../image/index.js'
import type { State } from '../state.js'
import { loadPool } from '../storage/index.js'
import { instanceKeys } from '../config/instance-keys.js'
import { isTrue } from '../config/validate.js'
import { devicesWithoutEmpty, withoutEmpty } from '../util/config-map.js'
import { Reverter } from '../util/revert.js'
import { allocateIdmap, releaseRange, reserveRange } from './idmap-alloc.js'

export { idmapOf } from './idmap-alloc.js'
import { hostRootUid, type IdmapEntry } from './idmap.js'
import { applyDeviceChanges, forgetDevices, stopDevices } from './lxc/devices.js'
import { forgetContainer, startContainer, stopContainer } from './lxc/driver.js'
import { instanceLogDir } from './lxc/exec.js'
import { applyLiveLimits, freezeContainer, thawContainer } from './lxc/live.js'
import { lxcFiles } from './lxc/paths.js'
import { isAlive, runtimeState } from './lxc/runtime.js'
import { forgetBackups, moveBackups } from './backup-files.js'
import { runCleanStop } from './clean-stops.js'
import { applyTemplates } from './templates.js'
import { expandedOf, instanceLock, lockKey, rootPoolOf, validateInstance } from './service.js'
import type { Expanded } from './expand.js'

/** Who asked, and where. */
export interface Caller {
  project: string
  requestor: Requestor
}

/** What every new instance is made with, whatever its source (image, copy, migration, backup). */
export interface NewInstanceFields extends db.InstanceContent {
  name: string
}

/** The row of a new, stateless container of `project` on pool `pool`, made now from `fields` with its final `config`. */
export function containerRow(
  project: string,
  fields: NewInstanceFields,
  architecture: string,
  pool: string,
  config: Record<string, string>,
): db.NewInstance {
  return {
    project,
    name: fields.name,
    type: 'container',
    architecture,
    description: fields.description,
    ephemeral: fields.ephemeral,
    stateful: false,
    config,
    devices: fields.devices,
    profiles: fields.profiles,
    pool,
    created_at: new Date().toISOString(),
  }
}

/** What a create request carries once parsed. */
export interface CreateRequest extends NewInstanceFields {
  /** Image reference: alias, fingerprint or fingerprint prefix. */
  image: string
  /** Present when the image comes from another server: it is copied here first. */
  remote?: RemoteImageSource
}

const url = (inst: { project: string; name: string }) =>
  entityUrl(`/1.0/instances/${inst.name}`, inst.project)

function emit(
  state: State,
  action: string,
  inst: { project: string; name: string },
  caller: Caller,
  context?: Record<string, unknown>,
) {
  publishLifecycle(state.events, action, url(inst), {
    project: inst.project,
    requestor: caller.requestor,
    context,
  })
}

/** Allocates the instance's map now (synchronously, so two allocations cannot interleave). */
function allocate(
  state: State,
  project: string,
  name: string,
  expanded: Record<string, string>,
  local: Record<string, string>,
) {
  return allocateIdmap(
    state,
    { project, name, expanded, volatile: local },
    (i) => expandedOf(state, i).config,
  )
}

/** Makes the instance volume's top directory owned by the container's root and mode 0100, as LXD. */
export function protectVolume(path: string, idmap: IdmapEntry[]): void {
  chownSync(path, hostRootUid(idmap), 0)
  chmodSync(path, 0o100)
}

/** Validates a create request without changing anything: the API answers a 4xx before any operation exists. */
export async function validateCreate(state: State, req: CreateRequest, caller: Caller) {
  const clean = { ...req, config: withoutEmpty(req.config), devices: devicesWithoutEmpty(req.devices) }
  checkVolatileKeys(getProject(state.db, caller.project), clean.name, clean.config)
  const expanded = validateInstance(state, {
    project: caller.project,
    name: clean.name,
    profiles: clean.profiles,
    config: clean.config,
    devices: clean.devices,
  })
  // Before anything is copied or written: an unprivileged container must be able to start here.
  if (!isTrue(expanded.config['security.privileged'])) await state.idmap.require()
  return { req: clean, expanded }
}

/** Creates an instance from an image: the volume first, then the database row. */
export async function createInstance(
  state: State,
  request: CreateRequest,
  caller: Caller,
  progress: (text: string) => void = () => {},
): Promise<db.InstanceRecord> {
  // Checked again here: the project or its profiles may have changed since the request.
  const { req, expanded } = await validateCreate(state, request, caller)
  const ref = req.remote
    ? (await localCopy(state, req.remote, { ...caller, public: false, filename: '', properties: {} }))
        .fingerprint
    : req.image
  const image = findImage(state, caller.project, ref)
  const pool = loadPool(state, rootPoolOf(expanded))
  const config: Record<string, string> = { ...req.config }
  for (const [k, v] of Object.entries(image.properties)) config[`image.${k}`] = v
  const { map: idmap, base } = allocate(state, caller.project, req.name, expanded.config, {})
  const reservation = `${caller.project}/${req.name}`
  // Until the row carries it, the range is reserved so a concurrent create cannot take it.
  if (base > 0) reserveRange(reservation, { base, size: idmap[0]!.Maprange })
  Object.assign(config, {
    'volatile.base_image': image.fingerprint,
    'volatile.uuid': randomUUID(),
    // LXD reports 0 for the shared map; an isolated map records its own first host id.
    'volatile.idmap.base': String(base),
    'volatile.idmap.next': JSON.stringify(idmap),
    'volatile.last_state.idmap': '[]',
    // The image's create templates are applied at the first start, as LXD defers them.
    'volatile.apply_template': 'create',
  })
  const revert = new Reverter()
  revert.add(() => releaseRange(reservation))
  try {
    // Checked under the instance's lock: a row means a real instance, whatever the handler saw.
    if (db.listInstances(state.db, caller.project).some((i) => i.name === req.name)) {
      throw conflict(`Instance "${req.name}" already exists`)
    }
    // A volume left by a create that died before its row was written is not an instance: drop it.
    if (existsSync(pool.instancePath(caller.project, req.name)))
      await pool.deleteInstance(caller.project, req.name)
    await pool.createInstanceFromImage({
      project: caller.project,
      instance: req.name,
      fingerprint: image.fingerprint,
      unpack: async (dir) => {
        progress('Unpack: 0%')
        await unpackImage(state, image.fingerprint, dir)
        progress('Unpack: 100%')
      },
    })
    revert.add(() => pool.deleteInstance(caller.project, req.name))
    protectVolume(pool.instancePath(caller.project, req.name), idmap)
    const inst = db.createInstance(
      state.db,
      containerRow(caller.project, req, image.architecture || 'x86_64', pool.name, config),
    )
    revert.success()
    releaseRange(reservation)
    emit(state, 'instance-created', inst, caller)
    return inst
  } finally {
    await revert.fail()
  }
}

/** Starts a stopped instance. */
export async function startInstance(state: State, inst: db.InstanceRecord, caller: Caller): Promise<void> {
  if (isAlive(await runtimeState(state, inst))) throw badRequest('The instance is already running')
  // Checked again at each start: the project, its profiles or the daemon's policy may be stricter now.
  const expanded = validateInstance(state, inst)
  // Recomputed at each start (the keys may have changed while it was stopped); a range that
  // still fits is kept.
  const { map: idmap, base } = allocate(state, inst.project, inst.name, expanded.config, inst.config)
  if (idmap.length > 0) await state.idmap.require()
  const pool = loadPool(state, inst.pool)
  const patch = {
    'volatile.idmap.base': String(base),
    'volatile.idmap.current': JSON.stringify(idmap),
    'volatile.idmap.next': JSON.stringify(idmap),
  }
  db.patchUnsynced(state.db, inst.id, patch)
  Object.assign(expanded.config, patch)
  if (idmap.length === 0)
    state.log.warn('Starting a privileged container: its root is root on the host', {
      instance: inst.name,
      project: inst.project,
    })
  // The instance directory belongs to the container's root, whichever map it now has.
  protectVolume(pool.instancePath(inst.project, inst.name), idmap)
  await applyTemplates(state, { inst, expanded, volumePath: pool.instancePath(inst.project, inst.name) })
  await startContainer(state, {
    inst,
    expanded,
    volumePath: pool.instancePath(inst.project, inst.name),
    idmap,
  })
  db.recordPowerState(state.db, inst.id, 'RUNNING', new Date().toISOString())
  emit(state, 'instance-started', inst, caller)
}

/** Stops the container; a clean stop is known while it waits, so a forced stop can cut it short. */
function haltContainer(
  state: State,
  inst: db.InstanceRecord,
  opts: { force: boolean; timeout: number },
): Promise<void> {
  if (opts.force) return stopContainer(state, inst, opts)
  return runCleanStop(lockKey(inst.project, inst.name), () => stopContainer(state, inst, opts))
}

/** Stops a running instance (cleanly within timeout seconds, or forced). */
export async function stopInstance(
  state: State,
  inst: db.InstanceRecord,
  opts: { force: boolean; timeout: number },
  caller: Caller,
): Promise<void> {
  if (!isAlive(await runtimeState(state, inst))) throw badRequest('The instance is already stopped')
  await haltContainer(state, inst, opts)
  db.recordPowerState(state.db, inst.id, 'STOPPED')
  emit(state, 'instance-stopped', inst, caller)
  if (inst.ephemeral) await deleteInstance(state, inst, caller)
}

/** Freezes a running instance (LXD's pause): its processes stop until it is thawed. */
export async function freezeInstance(state: State, inst: db.InstanceRecord, caller: Caller): Promise<void> {
  const run = await runtimeState(state, inst)
  if (!isAlive(run)) throw badRequest("The container isn't running")
  if (run.status === 'Frozen') throw badRequest('The container is already frozen')
  await freezeContainer(state, inst, run.pid)
  emit(state, 'instance-paused', inst, caller)
}

/** Thaws a frozen instance (LXD's resume; `lxc start` of a frozen instance sends it). */
export async function unfreezeInstance(state: State, inst: db.InstanceRecord, caller: Caller): Promise<void> {
  const run = await runtimeState(state, inst)
  if (!isAlive(run)) throw badRequest("The container isn't running")
  if (run.status !== 'Frozen') throw badRequest('The container is already running')
  await thawContainer(state, inst, run.pid)
  emit(state, 'instance-resumed', inst, caller)
}

/** Stops (if running) and starts an instance. */
export async function restartInstance(
  state: State,
  inst: db.InstanceRecord,
  opts: { force: boolean; timeout: number },
  caller: Caller,
): Promise<void> {
  if (isAlive(await runtimeState(state, inst))) {
    await haltContainer(state, inst, opts)
  }
  await startInstance(state, inst, caller)
  emit(state, 'instance-restarted', inst, caller)
}

/** Deletes a stopped instance: its LXC files, its volume with snapshots, then its row. */
export async function deleteInstance(state: State, inst: db.InstanceRecord, caller: Caller): Promise<void> {
  if (isAlive(await runtimeState(state, inst))) throw badRequest('Instance is running')
  if (isTrue(expandedOf(state, inst).config['security.protection.delete'])) {
    throw badRequest('Instance is protected from being deleted')
  }
  // A container that stopped on its own still has its host changes: undo them from the record.
  await stopDevices(state, inst)
  forgetContainer(state, inst)
  rmSync(lxcFiles(state.paths.dir, inst.project, inst.name).dir, { recursive: true, force: true })
  rmSync(instanceLogDir(state, inst.project, inst.name), { recursive: true, force: true })
  forgetDevices(state, inst, expandedOf(state, inst).devices)
  await loadPool(state, inst.pool).deleteInstance(inst.project, inst.name)
  db.deleteInstance(state.db, inst.id)
  forgetBackups(state, inst.project, inst.name)
  emit(state, 'instance-deleted', inst, caller)
}

/** Renames a stopped instance (volume, LXC files and row). */
export async function renameInstance(
  state: State,
  inst: db.InstanceRecord,
  newName: string,
  caller: Caller,
): Promise<void> {
  if (isAlive(await runtimeState(state, inst))) throw badRequest('Renaming of running instance not allowed')
  const pool = loadPool(state, inst.pool)
  await pool.renameInstance(inst.project, inst.name, newName)
  // DNS names follow the instance name: the next start writes the entries under the new one.
  forgetDevices(state, inst, expandedOf(state, inst).devices)
  await stopDevices(state, inst)
  forgetContainer(state, inst)
  rmSync(lxcFiles(state.paths.dir, inst.project, inst.name).dir, { recursive: true, force: true })
  try {
    db.renameInstance(state.db, inst.id, newName)
    // The image's rename templates run at the next start (a pending create/copy goes first, as LXD).
    if (!inst.config['volatile.apply_template'])
      db.patchInstanceConfig(state.db, inst.id, { 'volatile.apply_template': 'rename' })
  } catch (err) {
    await pool.renameInstance(inst.project, newName, inst.name)
    throw err
  }
  moveBackups(state, inst.project, inst.name, newName)
  const oldLogs = instanceLogDir(state, inst.project, inst.name)
  if (existsSync(oldLogs)) renameSync(oldLogs, instanceLogDir(state, inst.project, newName))
  emit(state, 'instance-renamed', { project: inst.project, name: newName }, caller, { old_name: inst.name })
}

/** Validates an update without changing anything (the API answers a 4xx before any operation exists). */
export function validateUpdate(state: State, inst: db.InstanceRecord, next: db.InstanceContent) {
  // Volatile keys are the daemon's: keep the stored ones whatever the request says.
  const volatile = Object.fromEntries(Object.entries(inst.config).filter(([k]) => k.startsWith('volatile.')))
  const own = Object.fromEntries(
    Object.entries(withoutEmpty(next.config)).filter(([k]) => !k.startsWith('volatile.')),
  )
  const devices = devicesWithoutEmpty(next.devices)
  const expanded = validateInstance(state, {
    project: inst.project,
    name: inst.name,
    profiles: next.profiles,
    config: { ...own, ...volatile },
    devices,
  })
  if (rootPoolOf(expanded) !== inst.pool)
    throw badRequest('Changing the root disk pool of an instance is not supported')
  // The map the next start would give must exist (raw.idmap clashes, a full range).
  allocate(state, inst.project, inst.name, expanded.config, inst.config)
  return { own, devices, expanded }
}

/** What an update of a running instance could not apply at once: it takes effect at the next start. */
export interface PendingRestart {
  config: string[]
  devices: string[]
}

/** Changed keys a running container takes only when it starts again (declared without live update). */
function restartKeys(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => (before[k] ?? '') !== (after[k] ?? '') && instanceKeys.find(k)?.liveUpdate === false)
    .sort()
}

/**
 * Replaces an instance's writable fields after validating the result. On a running instance the
 * limits LXD changes live are written to its cgroups first (a refusal leaves everything as it
 * was), devices change live where their drivers can, and what applies only at the next start
 * is returned.
 */
export async function updateInstance(
  state: State,
  inst: db.InstanceRecord,
  next: db.InstanceContent,
  caller: Caller,
): Promise<PendingRestart> {
  const { own, devices, expanded } = validateUpdate(state, inst, next)
  const previous = expandedOf(state, inst)
  const run = await runtimeState(state, inst)
  const alive = isAlive(run)
  if (alive) applyLiveLimits(state, inst, run.pid, previous.config, expanded.config)
  let deferred: string[]
  try {
    deferred = await applyDeviceChanges(
      state,
      inst,
      alive ? run : undefined,
      previous.devices,
      expanded.devices,
    )
  } catch (err) {
    if (alive) applyLiveLimits(state, inst, run.pid, expanded.config, previous.config)
    throw err
  }
  db.updateInstance(state.db, inst.id, {
    ...next,
    // The volatile keys as stored now: NIC changes may have added or dropped some.
    config: { ...own, ...volatileOf(state, inst) },
    devices,
  })
  const pending = { config: alive ? restartKeys(previous.config, expanded.config) : [], devices: deferred }
  if (pending.config.length + pending.devices.length > 0)
    state.log.info('Instance changes apply at its next start', {
      instance: inst.name,
      project: inst.project,
      config: pending.config.join(','),
      devices: pending.devices.join(','),
    })
  emit(state, 'instance-updated', inst, caller)
  return pending
}

/**
 * Applies to the running ones of these instances what a profile change did to their limits
 * (written to their cgroups at once, as LXD does); what could not be applied is reported, per
 * instance, after all were tried. Their devices change at their next start: a profile edit
 * re-plugging every running instance's NICs and disks is left to an explicit instance update.
 */
export async function applyProfileChange(
  state: State,
  users: readonly { inst: db.InstanceRecord; before: Expanded }[],
): Promise<void> {
  const failed: string[] = []
  for (const { inst, before } of users) {
    await instanceLock.run(lockKey(inst.project, inst.name), async () => {
      const run = await runtimeState(state, inst)
      if (!isAlive(run)) return
      const after = expandedOf(state, db.getInstance(state.db, inst.project, inst.name))
      try {
        applyLiveLimits(state, inst, run.pid, before.config, after.config)
      } catch (err) {
        failed.push(`instance "${inst.name}" of project "${inst.project}": ${(err as Error).message}`)
      }
    })
  }
  if (failed.length > 0) throw new ApiError(500, `Failed to update running instances: ${failed.join('; ')}`)
}

/** The volatile keys as stored now (hot-plug may have added some). */
function volatileOf(state: State, inst: db.InstanceRecord): Record<string, string> {
  const current = db.getInstance(state.db, inst.project, inst.name).config
  return Object.fromEntries(Object.entries(current).filter(([k]) => k.startsWith('volatile.')))
}
