/** @module Storage pool rows, and what uses a pool (instances, profiles' root disks). */
import { conflict, notFound } from '@corral/api'
import type { Db } from './db.js'

/** A storage pool as stored. */
export interface StoragePoolRecord {
  id: number
  name: string
  driver: string
  description: string
  config: Record<string, string>
}

interface Row {
  id: number
  name: string
  driver: string
  description: string
  config: string
}

const select = 'SELECT id, name, driver, description, config FROM storage_pools'
const toRecord = (r: Row): StoragePoolRecord => ({
  ...r,
  config: JSON.parse(r.config) as Record<string, string>,
})

/** Lists every pool by name. */
export function listStoragePools(db: Db): StoragePoolRecord[] {
  return (db.prepare(`${select} ORDER BY name`).all() as Row[]).map(toRecord)
}

/** Gets one pool or throws 404. */
export function getStoragePool(db: Db, name: string): StoragePoolRecord {
  const row = db.prepare(`${select} WHERE name = ?`).get(name) as Row | undefined
  if (!row) throw notFound('Storage pool not found')
  return toRecord(row)
}

/** Inserts a pool and returns its id; 409 when the name is taken. */
export function createStoragePool(
  db: Db,
  pool: { name: string; driver: string; description: string; config: Record<string, string> },
): number {
  return db.transaction(() => {
    if (db.prepare('SELECT 1 FROM storage_pools WHERE name = ?').get(pool.name)) {
      throw conflict('The storage pool already exists')
    }
    const r = db
      .prepare('INSERT INTO storage_pools (name, driver, description, config) VALUES (?, ?, ?, ?)')
      .run(pool.name, pool.driver, pool.description, JSON.stringify(pool.config))
    return Number(r.lastInsertRowid)
  })()
}

/** Replaces a pool's description and config in one write. */
export function updateStoragePool(
  db: Db,
  id: number,
  content: { description: string; config: Record<string, string> },
): void {
  db.prepare('UPDATE storage_pools SET description = ?, config = ? WHERE id = ?').run(
    content.description,
    JSON.stringify(content.config),
    id,
  )
}

/** Deletes a pool row. */
export function deleteStoragePool(db: Db, id: number): void {
  db.prepare('DELETE FROM storage_pools WHERE id = ?').run(id)
}

/** A user of a pool: an instance or a profile, in its project. */
export interface PoolUser {
  kind: 'instance' | 'profile'
  project: string
  name: string
}

const hasTable = (db: Db, name: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined

/** Instances whose volume is on the pool and profiles whose root disk names it. */
export function storagePoolUsers(db: Db, pool: string): PoolUser[] {
  const users: PoolUser[] = []
  if (hasTable(db, 'instances')) {
    const rows = db
      .prepare(
        'SELECT j.name AS project, i.name FROM instances i JOIN projects j ON j.id = i.project_id WHERE i.pool = ? ORDER BY j.name, i.name',
      )
      .all(pool) as { project: string; name: string }[]
    for (const r of rows) users.push({ kind: 'instance', ...r })
  }
  const profiles = db
    .prepare(
      'SELECT j.name AS project, p.name, p.devices FROM profiles p JOIN projects j ON j.id = p.project_id ORDER BY j.name, p.name',
    )
    .all() as { project: string; name: string; devices: string }[]
  for (const p of profiles) {
    const devices = JSON.parse(p.devices) as Record<string, Record<string, string>>
    const root = Object.values(devices).some((d) => d.type === 'disk' && d.path === '/' && d.pool === pool)
    if (root) users.push({ kind: 'profile', project: p.project, name: p.name })
  }
  return users
}
