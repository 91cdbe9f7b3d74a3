/** @module Custom storage volume rows and their snapshot rows. */
import { conflict, notFound } from '@corral/api'
import type { Db } from './db.js'

/** A custom volume as stored. */
export interface VolumeRecord {
  id: number
  pool: string
  project: string
  name: string
  type: 'custom'
  contentType: string
  description: string
  config: Record<string, string>
  created_at: string
}

/** A volume snapshot as stored. */
export interface VolumeSnapshotRecord {
  id: number
  volumeId: number
  name: string
  description: string
  config: Record<string, string>
  created_at: string
  expires_at: string
}

interface Row {
  id: number
  pool: string
  project: string
  name: string
  type: 'custom'
  content_type: string
  description: string
  config: string
  created_at: string
}

const select =
  'SELECT v.id, p.name AS pool, j.name AS project, v.name, v.type, v.content_type, v.description, v.config, v.created_at FROM storage_volumes v JOIN storage_pools p ON p.id = v.pool_id JOIN projects j ON j.id = v.project_id'

const toRecord = (r: Row): VolumeRecord => ({
  id: r.id,
  pool: r.pool,
  project: r.project,
  name: r.name,
  type: r.type,
  contentType: r.content_type,
  description: r.description,
  config: JSON.parse(r.config) as Record<string, string>,
  created_at: r.created_at,
})

/** Lists the custom volumes of a pool (of one project, or all when undefined), by project and name. */
export function listVolumes(db: Db, pool: string, project: string | undefined): VolumeRecord[] {
  const rows =
    project === undefined
      ? (db.prepare(`${select} WHERE p.name = ? ORDER BY j.name, v.name`).all(pool) as Row[])
      : (db.prepare(`${select} WHERE p.name = ? AND j.name = ? ORDER BY v.name`).all(pool, project) as Row[])
  return rows.map(toRecord)
}

/** Lists every custom volume of every pool (for checks across pools, such as project limits). */
export function listAllVolumes(db: Db): VolumeRecord[] {
  return (db.prepare(`${select} ORDER BY p.name, j.name, v.name`).all() as Row[]).map(toRecord)
}

/** Gets one volume or throws LXD's 404. */
export function getVolume(db: Db, pool: string, project: string, name: string): VolumeRecord {
  const row = db
    .prepare(`${select} WHERE p.name = ? AND j.name = ? AND v.name = ?`)
    .get(pool, project, name) as Row | undefined
  if (!row) throw notFound('Storage volume not found')
  return toRecord(row)
}

/** The ids of pool `pool` and project `project`; 404 with LXD's message when either is missing. */
function poolAndProject(
  db: Db,
  pool: string,
  project: string,
): { pool: { id: number }; proj: { id: number } } {
  const poolRow = db.prepare('SELECT id FROM storage_pools WHERE name = ?').get(pool) as
    { id: number } | undefined
  if (!poolRow) throw notFound('Storage pool not found')
  const projRow = db.prepare('SELECT id FROM projects WHERE name = ?').get(project) as
    { id: number } | undefined
  if (!projRow) throw notFound('Project not found')
  return { pool: poolRow, proj: projRow }
}

/** Inserts a volume row; 409 with LXD's message when the name is taken in the pool and project. */
export function createVolume(db: Db, v: Omit<VolumeRecord, 'id' | 'type'>): number {
  return db.transaction(() => {
    const { pool, proj } = poolAndProject(db, v.pool, v.project)
    if (
      db
        .prepare(
          "SELECT 1 FROM storage_volumes WHERE pool_id = ? AND project_id = ? AND type = 'custom' AND name = ?",
        )
        .get(pool.id, proj.id, v.name)
    )
      throw conflict('Volume by that name already exists')
    const r = db
      .prepare(
        'INSERT INTO storage_volumes (pool_id, project_id, name, content_type, description, config, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(pool.id, proj.id, v.name, v.contentType, v.description, JSON.stringify(v.config), v.created_at)
    return Number(r.lastInsertRowid)
  })()
}

/** Replaces a volume's description and config. */
export function updateVolume(
  db: Db,
  id: number,
  content: { description: string; config: Record<string, string> },
): void {
  db.prepare('UPDATE storage_volumes SET description = ?, config = ? WHERE id = ?').run(
    content.description,
    JSON.stringify(content.config),
    id,
  )
}

/** Renames a volume and/or moves it to another pool or project; 409 when the target name is taken. */
export function moveVolume(db: Db, id: number, to: { pool: string; project: string; name: string }): void {
  db.transaction(() => {
    const { pool, proj } = poolAndProject(db, to.pool, to.project)
    const taken = db
      .prepare(
        "SELECT 1 FROM storage_volumes WHERE pool_id = ? AND project_id = ? AND type = 'custom' AND name = ? AND id != ?",
      )
      .get(pool.id, proj.id, to.name, id)
    if (taken) throw conflict('Volume by that name already exists')
    db.prepare('UPDATE storage_volumes SET pool_id = ?, project_id = ?, name = ? WHERE id = ?').run(
      pool.id,
      proj.id,
      to.name,
      id,
    )
  })()
}

/** Deletes a volume row (its snapshot rows go with it). */
export function deleteVolume(db: Db, id: number): void {
  db.prepare('DELETE FROM storage_volumes WHERE id = ?').run(id)
}

interface SnapshotRow {
  id: number
  volume_id: number
  name: string
  description: string
  config: string
  created_at: string
  expires_at: string
}

const toSnapshot = (r: SnapshotRow): VolumeSnapshotRecord => ({
  id: r.id,
  volumeId: r.volume_id,
  name: r.name,
  description: r.description,
  config: JSON.parse(r.config) as Record<string, string>,
  created_at: r.created_at,
  expires_at: r.expires_at,
})

/** Lists a volume's snapshots, oldest first. */
export function listVolumeSnapshots(db: Db, volumeId: number): VolumeSnapshotRecord[] {
  return (
    db
      .prepare('SELECT * FROM storage_volumes_snapshots WHERE volume_id = ? ORDER BY id')
      .all(volumeId) as SnapshotRow[]
  ).map(toSnapshot)
}

/** Gets one snapshot or throws 404. */
export function getVolumeSnapshot(db: Db, volumeId: number, name: string): VolumeSnapshotRecord {
  const row = db
    .prepare('SELECT * FROM storage_volumes_snapshots WHERE volume_id = ? AND name = ?')
    .get(volumeId, name) as SnapshotRow | undefined
  if (!row) throw notFound('Storage volume snapshot not found')
  return toSnapshot(row)
}

/** Inserts a snapshot row; 409 when the name is taken. */
export function createVolumeSnapshot(db: Db, s: Omit<VolumeSnapshotRecord, 'id'>): number {
  return db.transaction(() => {
    if (
      db
        .prepare('SELECT 1 FROM storage_volumes_snapshots WHERE volume_id = ? AND name = ?')
        .get(s.volumeId, s.name)
    )
      throw conflict(`Snapshot "${s.name}" already in use`)
    const r = db
      .prepare(
        'INSERT INTO storage_volumes_snapshots (volume_id, name, description, config, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(s.volumeId, s.name, s.description, JSON.stringify(s.config), s.created_at, s.expires_at)
    return Number(r.lastInsertRowid)
  })()
}

/** Renames a snapshot; 409 when the name is taken. */
export function renameVolumeSnapshot(db: Db, id: number, name: string): void {
  db.transaction(() => {
    const taken = db
      .prepare(
        'SELECT 1 FROM storage_volumes_snapshots WHERE name = ? AND volume_id = (SELECT volume_id FROM storage_volumes_snapshots WHERE id = ?)',
      )
      .get(name, id)
    if (taken) throw conflict(`Name "${name}" already in use`)
    db.prepare('UPDATE storage_volumes_snapshots SET name = ? WHERE id = ?').run(name, id)
  })()
}

/** Replaces a snapshot's description. */
export function updateVolumeSnapshot(db: Db, id: number, description: string): void {
  db.prepare('UPDATE storage_volumes_snapshots SET description = ? WHERE id = ?').run(description, id)
}

/** Deletes a snapshot row. */
export function deleteVolumeSnapshot(db: Db, id: number): void {
  db.prepare('DELETE FROM storage_volumes_snapshots WHERE id = ?').run(id)
}
