/** @module Local copies: an instance or a snapshot into a new instance, its snapshots with it, volatile keys regenerated as LXD does. */
import { randomUUID } from 'node:crypto'
import { conflict } from '@corral/api'
import * as db from '../db/instances.js'
import { getProject } from '../db/projects.js'
import { entityUrl, publishLifecycle } from '../events/lifecycle.js'
import { checkVolatileKeys } from '../project/restrictions.js'
import type { State } from '../state.js'
import { loadPool } from '../storage/index.js'
import { copyInstanceVolumes } from '../storage/volume-copy.js'
import { isTrue } from '../config/validate.js'
import { devicesWithoutEmpty, withoutEmpty } from '../util/config-map.js'
import { Reverter } from '../util/revert.js'
import { allocateIdmap, releaseRange, reserveRange } from './idmap-alloc.js'
import { containerRow, protectVolume, type Caller, type NewInstanceFields } from './lifecycle.js'
import { freezeContainer, thawContainer } from './lxc/live.js'
import { runtimeState } from './lxc/runtime.js'
import { expandedOf, rootPoolOf, validateInstance } from './service.js'

/** A copy request once parsed: the new instance's fields and where it comes from. */
export interface CopyRequest extends NewInstanceFields {
  source: { project: string; instance: string; snapshot?: string }
  /** Leave the source's snapshots behind (`--instance-only`). */
  instanceOnly: boolean
}

/**
 * The only volatile key a copy takes from its source or its request (LXD keeps the base image;
 * everything else - UUID, MACs, host names, idmap - is the new instance's own).
 */
const keptVolatile = (key: string): boolean => !key.startsWith('volatile.') || key === 'volatile.base_image'

/** Keeps the keys a copy takes over. */
function copiedConfig(config: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => keptVolatile(k)))
}

/** The source's record and, for a snapshot source, the snapshot. */
function loadSource(state: State, req: CopyRequest) {
  const inst = db.getInstance(state.db, req.source.project, req.source.instance)
  const snap = req.source.snapshot ? db.getSnapshot(state.db, inst.id, req.source.snapshot) : undefined
  return { inst, snap }
}

/**
 * Validates a copy without changing anything: the request's config and devices over the
 * source's local ones (LXD's rule), checked as any new instance in the target project.
 */
export async function validateCopy(state: State, req: CopyRequest, caller: Caller) {
  const { inst, snap } = loadSource(state, req)
  const from = snap ?? inst
  const config = withoutEmpty({ ...copiedConfig(from.config), ...copiedConfig(req.config) })
  const devices = devicesWithoutEmpty({ ...from.devices, ...req.devices })
  // Only what the client sent is the client's: a restricted project refuses its volatile keys.
  checkVolatileKeys(getProject(state.db, caller.project), req.name, req.config)
  const expanded = validateInstance(state, {
    project: caller.project,
    name: req.name,
    profiles: req.profiles,
    config,
    devices,
  })
  if (!isTrue(expanded.config['security.privileged'])) await state.idmap.require()
  return { inst, snap, config, devices, expanded }
}

/**
 * Runs `work` with a running instance frozen: a copy walks its tree by path as root, and a
 * process inside swapping a directory for a symlink between two steps would send the copy
 * onto the host's files. A stopped, frozen or absent instance is left as it is.
 */
async function whileFrozen<T>(
  state: State,
  inst: db.InstanceRecord | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const run = inst ? await runtimeState(state, inst) : undefined
  if (!inst || run?.status !== 'Running') return work()
  await freezeContainer(state, inst, run.pid)
  try {
    return await work()
  } finally {
    await thawContainer(state, inst, run.pid)
  }
}

/** Copies an instance (with its snapshots unless instance-only) or a snapshot into a new instance. */
export async function copyInstance(
  state: State,
  req: CopyRequest,
  caller: Caller,
): Promise<db.InstanceRecord> {
  const { inst: source, snap, config, devices, expanded } = await validateCopy(state, req, caller)
  const project = caller.project
  const snapshots = snap || req.instanceOnly ? [] : db.listSnapshots(state.db, source.id)
  const pool = loadPool(state, rootPoolOf(expanded))
  const { map: idmap, base } = allocateIdmap(
    state,
    { project, name: req.name, expanded: expanded.config, volatile: {} },
    (i) => expandedOf(state, i).config,
  )
  const reservation = `${project}/${req.name}`
  if (base > 0) reserveRange(reservation, { base, size: idmap[0]!.Maprange })
  const revert = new Reverter()
  revert.add(() => releaseRange(reservation))
  try {
    if (db.listInstances(state.db, project).some((i) => i.name === req.name))
      throw conflict(`Instance "${req.name}" already exists`)
    await whileFrozen(state, snap ? undefined : source, () =>
      copyInstanceVolumes(
        state,
        {
          pool: source.pool,
          project: source.project,
          instance: source.name,
          ...(snap ? { snapshot: snap.name } : {}),
        },
        { pool: pool.name, project, instance: req.name },
        snapshots.map((s) => s.name),
      ),
    )
    revert.add(() => pool.deleteInstance(project, req.name))
    protectVolume(pool.instancePath(project, req.name), idmap)
    const inst = db.createInstance(
      state.db,
      containerRow(project, { ...req, devices }, source.architecture, pool.name, {
        ...config,
        'volatile.uuid': randomUUID(),
        'volatile.idmap.base': String(base),
        'volatile.idmap.next': JSON.stringify(idmap),
        'volatile.last_state.idmap': '[]',
        // The image's copy templates run at the first start, as LXD triggers them.
        'volatile.apply_template': 'copy',
      }),
    )
    revert.add(() => db.deleteInstance(state.db, inst.id))
    for (const s of snapshots)
      db.createSnapshot(
        state.db,
        {
          ...inst,
          description: s.description,
          config: copiedConfig(s.config),
          devices: s.devices,
          profiles: s.profiles,
        },
        s.name,
        s.created_at,
      )
    revert.success()
    releaseRange(reservation)
    publishLifecycle(state.events, 'instance-created', entityUrl(`/1.0/instances/${inst.name}`, project), {
      project,
      requestor: caller.requestor,
    })
    return inst
  } finally {
    await revert.fail()
  }
}
