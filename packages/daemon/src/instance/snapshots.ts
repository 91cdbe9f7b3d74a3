/** @module Instance snapshots: create, restore, rename, delete, and their wire form. */
import { existsSync } from 'node:fs'
import type { InstanceSnapshot } from '@corral/api'
import { badRequest, conflict } from '@corral/api'
import * as db from '../db/instances.js'
import { getProject } from '../db/projects.js'
import { checkSnapshotsAllowed } from '../project/restrictions.js'
import { entityUrl, publishLifecycle } from '../events/lifecycle.js'
import type { State } from '../state.js'
import { loadPool } from '../storage/index.js'
import { validateSnapshotName } from '../util/names.js'
import type { Caller } from './lifecycle.js'
import { startContainer, stopContainer } from './lxc/driver.js'
import { isAlive, runtimeState } from './lxc/runtime.js'
import { expandedOf, validateInstance } from './service.js'
import { idmapOf } from './idmap-alloc.js'

const snapUrl = (inst: db.InstanceRecord, snap: string) =>
  entityUrl(`/1.0/instances/${inst.name}/snapshots/${snap}`, inst.project)

function emit(
  state: State,
  action: string,
  inst: db.InstanceRecord,
  snap: string,
  caller: Caller,
  context?: Record<string, unknown>,
) {
  publishLifecycle(state.events, action, snapUrl(inst, snap), {
    project: inst.project,
    requestor: caller.requestor,
    context,
  })
}

/** The wire form of a snapshot. */
export function toApiSnapshot(state: State, inst: db.InstanceRecord, s: db.SnapshotRecord): InstanceSnapshot {
  const expanded = expandedOf(state, {
    project: inst.project,
    profiles: s.profiles,
    config: s.config,
    devices: s.devices,
  })
  return {
    architecture: inst.architecture,
    config: s.config,
    created_at: s.created_at,
    devices: s.devices,
    ephemeral: false,
    expanded_config: expanded.config,
    expanded_devices: expanded.devices,
    expires_at: s.expires_at || '0001-01-01T00:00:00Z',
    last_used_at: '0001-01-01T00:00:00Z',
    name: s.name,
    profiles: s.profiles,
    stateful: s.stateful,
    size: -1,
  }
}

/** The next free `snapN` name, as LXD picks it. */
export function nextSnapshotName(existing: db.SnapshotRecord[]): string {
  const used = new Set(existing.map((s) => s.name))
  let n = 0
  while (used.has(`snap${n}`)) n++
  return `snap${n}`
}

/**
 * Creates a snapshot: the volume first, then the row that lists it (the volume is undone if the
 * row cannot be written), so a kill at any point never leaves a listed snapshot without a volume.
 */
export async function createSnapshot(
  state: State,
  inst: db.InstanceRecord,
  name: string,
  caller: Caller,
): Promise<string> {
  checkSnapshotsAllowed(getProject(state.db, inst.project))
  const snapName = name || nextSnapshotName(db.listSnapshots(state.db, inst.id))
  validateSnapshotName(snapName)
  if (db.listSnapshots(state.db, inst.id).some((s) => s.name === snapName))
    throw conflict(`Snapshot "${snapName}" already exists`)
  const pool = loadPool(state, inst.pool)
  const createdAt = new Date().toISOString()
  // A volume without a row was left by a create killed before its row, or a delete killed after
  // it: no snapshot, so it makes way.
  if (existsSync(pool.snapshotPath(inst.project, inst.name, snapName)))
    await pool.deleteSnapshot(inst.project, inst.name, snapName)
  await pool.createSnapshot(inst.project, inst.name, snapName)
  try {
    db.createSnapshot(state.db, inst, snapName, createdAt)
  } catch (err) {
    await pool.deleteSnapshot(inst.project, inst.name, snapName).catch(() => undefined)
    throw err
  }
  emit(state, 'instance-snapshot-created', inst, snapName, caller)
  return snapName
}

/**
 * Deletes a snapshot: the row first, then the volume, so a kill in between leaves an unlisted
 * volume (dropped by the next snapshot of that name, or with the instance) rather than a listed
 * snapshot whose volume is gone or half deleted.
 */
export async function deleteSnapshot(
  state: State,
  inst: db.InstanceRecord,
  snap: db.SnapshotRecord,
  caller: Caller,
): Promise<void> {
  const pool = loadPool(state, inst.pool)
  db.deleteSnapshot(state.db, snap.id)
  await pool.deleteSnapshot(inst.project, inst.name, snap.name)
  emit(state, 'instance-snapshot-deleted', inst, snap.name, caller)
}

/** Renames a snapshot. */
export async function renameSnapshot(
  state: State,
  inst: db.InstanceRecord,
  snap: db.SnapshotRecord,
  newName: string,
  caller: Caller,
): Promise<void> {
  validateSnapshotName(newName)
  if (db.listSnapshots(state.db, inst.id).some((s) => s.name === newName))
    throw badRequest(`Name "${newName}" already in use`)
  const pool = loadPool(state, inst.pool)
  // No row has the new name, so a volume there is a leftover of a killed create or delete.
  if (existsSync(pool.snapshotPath(inst.project, inst.name, newName)))
    await pool.deleteSnapshot(inst.project, inst.name, newName)
  await pool.renameSnapshot(inst.project, inst.name, snap.name, newName)
  try {
    db.renameSnapshot(state.db, snap.id, newName)
  } catch (err) {
    await pool.renameSnapshot(inst.project, inst.name, newName, snap.name)
    throw err
  }
  emit(state, 'instance-snapshot-renamed', inst, newName, caller, { old_name: snap.name })
}

/** Restores an instance to a snapshot: its files and config; a running instance is restarted. */
export async function restoreSnapshot(
  state: State,
  inst: db.InstanceRecord,
  snap: db.SnapshotRecord,
  caller: Caller,
): Promise<void> {
  const volatile = Object.fromEntries(Object.entries(inst.config).filter(([k]) => k.startsWith('volatile.')))
  const restored = { ...snap.config, ...volatile }
  // The snapshot's config must still pass today's rules (the project may be stricter since).
  validateInstance(state, { ...inst, config: restored, devices: snap.devices, profiles: snap.profiles })
  const running = isAlive(await runtimeState(state, inst))
  if (running) await stopContainer(state, inst, { force: true, timeout: 0 })
  const pool = loadPool(state, inst.pool)
  await pool.restoreSnapshot(inst.project, inst.name, snap.name)
  db.updateInstance(state.db, inst.id, {
    description: snap.description,
    ephemeral: inst.ephemeral,
    config: restored,
    devices: snap.devices,
    profiles: snap.profiles,
  })
  if (running) {
    const now = db.getInstance(state.db, inst.project, inst.name)
    const expanded = expandedOf(state, now)
    await startContainer(state, {
      inst: now,
      expanded,
      volumePath: pool.instancePath(inst.project, inst.name),
      idmap: idmapOf(expanded.config),
    })
  }
  emit(state, 'instance-restored', inst, snap.name, caller)
}
