/** @module Instance and instance snapshot rows. */
import { conflict, notFound } from '@corral/api'
import type { Db } from './db.js'
import { renameScoped } from './rename.js'

/** An instance as stored. */
export interface InstanceRecord {
  id: number
  project: string
  name: string
  type: 'container'
  architecture: string
  description: string
  ephemeral: boolean
  stateful: boolean
  /** Instance-local config (profiles not applied). */
  config: Record<string, string>
  /** Instance-local devices (profiles not applied). */
  devices: Record<string, Record<string, string>>
  /** Profile names, applied in order. */
  profiles: string[]
  /** Storage pool of the root disk. */
  pool: string
  created_at: string
  last_used_at: string
}

/** A snapshot as stored. */
export interface SnapshotRecord {
  id: number
  instanceId: number
  name: string
  description: string
  stateful: boolean
  config: Record<string, string>
  devices: Record<string, Record<string, string>>
  profiles: string[]
  created_at: string
  expires_at: string
}

/** The stored row: flags as integers, maps and lists as JSON text. */
type Row = Omit<InstanceRecord, 'ephemeral' | 'stateful' | 'config' | 'devices' | 'profiles'> & {
  ephemeral: number
  stateful: number
  config: string
  devices: string
  profiles: string
}

const select =
  'SELECT i.id, j.name AS project, i.name, i.type, i.architecture, i.description, i.ephemeral, i.stateful, i.config, i.devices, i.profiles, i.pool, i.created_at, i.last_used_at FROM instances i JOIN projects j ON j.id = i.project_id'

const toRecord = (r: Row): InstanceRecord => ({
  ...r,
  ephemeral: r.ephemeral === 1,
  stateful: r.stateful === 1,
  config: JSON.parse(r.config) as Record<string, string>,
  devices: JSON.parse(r.devices) as Record<string, Record<string, string>>,
  profiles: JSON.parse(r.profiles) as string[],
})

/** Lists instances of a project (every project when undefined), by name. */
export function listInstances(db: Db, project: string | undefined): InstanceRecord[] {
  const rows =
    project === undefined
      ? (db.prepare(`${select} ORDER BY j.name, i.name`).all() as Row[])
      : (db.prepare(`${select} WHERE j.name = ? ORDER BY i.name`).all(project) as Row[])
  return rows.map(toRecord)
}

/** Gets one instance or throws 404. */
export function getInstance(db: Db, project: string, name: string): InstanceRecord {
  const row = db.prepare(`${select} WHERE j.name = ? AND i.name = ?`).get(project, name) as Row | undefined
  if (!row) throw notFound('Instance not found')
  return toRecord(row)
}

/** The fields a new instance row needs. */
export type NewInstance = Omit<InstanceRecord, 'id' | 'last_used_at'>

/** Inserts an instance; 409 when the name is taken in its project. */
export function createInstance(db: Db, inst: NewInstance): InstanceRecord {
  return db.transaction(() => {
    const proj = db.prepare('SELECT id FROM projects WHERE name = ?').get(inst.project) as
      { id: number } | undefined
    if (!proj) throw notFound('Project not found')
    if (db.prepare('SELECT 1 FROM instances WHERE project_id = ? AND name = ?').get(proj.id, inst.name)) {
      throw conflict(`Instance "${inst.name}" already exists`)
    }
    db.prepare(
      'INSERT INTO instances (project_id, name, type, architecture, description, ephemeral, stateful, config, devices, profiles, pool, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      proj.id,
      inst.name,
      inst.type,
      inst.architecture,
      inst.description,
      inst.ephemeral ? 1 : 0,
      inst.stateful ? 1 : 0,
      JSON.stringify(inst.config),
      JSON.stringify(inst.devices),
      JSON.stringify(inst.profiles),
      inst.pool,
      inst.created_at,
    )
    return getInstance(db, inst.project, inst.name)
  })()
}

/** The writable part of an instance. */
export interface InstanceContent {
  description: string
  ephemeral: boolean
  config: Record<string, string>
  devices: Record<string, Record<string, string>>
  profiles: string[]
}

/** Replaces an instance's writable fields in one write. */
export function updateInstance(db: Db, id: number, c: InstanceContent): void {
  db.prepare(
    'UPDATE instances SET description = ?, ephemeral = ?, config = ?, devices = ?, profiles = ? WHERE id = ?',
  ).run(
    c.description,
    c.ephemeral ? 1 : 0,
    JSON.stringify(c.config),
    JSON.stringify(c.devices),
    JSON.stringify(c.profiles),
    id,
  )
}

/** Merges keys into an instance's config (volatile keys), deleting those set to ''. */
export function patchInstanceConfig(db: Db, id: number, patch: Record<string, string>): void {
  db.transaction(() => {
    const row = db.prepare('SELECT config FROM instances WHERE id = ?').get(id) as
      { config: string } | undefined
    if (!row) throw notFound('Instance not found')
    const config = JSON.parse(row.config) as Record<string, string>
    for (const [k, v] of Object.entries(patch)) {
      if (v === '') delete config[k]
      else config[k] = v
    }
    db.prepare('UPDATE instances SET config = ? WHERE id = ?').run(JSON.stringify(config), id)
  })()
}

/**
 * Patches config keys that a start or stop records for itself (the power state, the idmap it
 * computed, the template trigger it has applied) and, for a start, when it last started, in
 * one commit that is not synced to disk on its own: next to a start or a copy that sync is a
 * journal flush of several ms. The next synced commit makes it durable; a daemon killed
 * before then loses nothing (the commit is in the WAL); a host losing power loses at most
 * this bookkeeping, which the next start computes again (an applied trigger's templates are
 * applied again), never the database's consistency.
 */
export function patchUnsynced(db: Db, id: number, patch: Record<string, string>, startedAt?: string): void {
  db.pragma('synchronous = NORMAL')
  try {
    db.transaction(() => {
      patchInstanceConfig(db, id, patch)
      if (startedAt) db.prepare('UPDATE instances SET last_used_at = ? WHERE id = ?').run(startedAt, id)
    })()
  } finally {
    db.pragma('synchronous = FULL')
  }
}

/** Records an instance's power state (volatile.last_state.power) and, for a start, when it started. */
export function recordPowerState(db: Db, id: number, power: 'RUNNING' | 'STOPPED', startedAt?: string): void {
  patchUnsynced(db, id, { 'volatile.last_state.power': power }, startedAt)
}

/** Renames an instance; 409 when taken. */
export function renameInstance(db: Db, id: number, newName: string): void {
  renameScoped(db, { table: 'instances', scope: 'project_id' }, id, newName)
}

/** Deletes an instance row and, by cascade, its snapshots. */
export function deleteInstance(db: Db, id: number): void {
  db.prepare('DELETE FROM instances WHERE id = ?').run(id)
}

/** Names of the instances whose profiles list includes a profile of that project. */
export function instancesUsingProfile(db: Db, project: string, profile: string): InstanceRecord[] {
  return listInstances(db, project).filter((i) => i.profiles.includes(profile))
}

interface SnapRow {
  id: number
  instance_id: number
  name: string
  description: string
  stateful: number
  config: string
  devices: string
  profiles: string
  created_at: string
  expires_at: string
}

const toSnapshot = (r: SnapRow): SnapshotRecord => ({
  id: r.id,
  instanceId: r.instance_id,
  name: r.name,
  description: r.description,
  stateful: r.stateful === 1,
  config: JSON.parse(r.config) as Record<string, string>,
  devices: JSON.parse(r.devices) as Record<string, Record<string, string>>,
  profiles: JSON.parse(r.profiles) as string[],
  created_at: r.created_at,
  expires_at: r.expires_at,
})

/** Lists an instance's snapshots, oldest first. */
export function listSnapshots(db: Db, instanceId: number): SnapshotRecord[] {
  return (
    db
      .prepare('SELECT * FROM instances_snapshots WHERE instance_id = ? ORDER BY id')
      .all(instanceId) as SnapRow[]
  ).map(toSnapshot)
}

/** Gets one snapshot or throws 404. */
export function getSnapshot(db: Db, instanceId: number, name: string): SnapshotRecord {
  const row = db
    .prepare('SELECT * FROM instances_snapshots WHERE instance_id = ? AND name = ?')
    .get(instanceId, name) as SnapRow | undefined
  if (!row) throw notFound('Snapshot not found')
  return toSnapshot(row)
}

/** Inserts a snapshot row copying the instance's current fields; 409 when the name exists. */
export function createSnapshot(db: Db, inst: InstanceRecord, name: string, when: string): void {
  db.transaction(() => {
    if (
      db.prepare('SELECT 1 FROM instances_snapshots WHERE instance_id = ? AND name = ?').get(inst.id, name)
    ) {
      throw conflict(`Snapshot "${name}" already exists`)
    }
    db.prepare(
      'INSERT INTO instances_snapshots (instance_id, name, description, config, devices, profiles, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      inst.id,
      name,
      inst.description,
      JSON.stringify(inst.config),
      JSON.stringify(inst.devices),
      JSON.stringify(inst.profiles),
      when,
    )
  })()
}

/** Renames a snapshot; 409 when taken. */
export function renameSnapshot(db: Db, id: number, newName: string): void {
  renameScoped(db, { table: 'instances_snapshots', scope: 'instance_id' }, id, newName)
}

/** Deletes a snapshot row. */
export function deleteSnapshot(db: Db, id: number): void {
  db.prepare('DELETE FROM instances_snapshots WHERE id = ?').run(id)
}
