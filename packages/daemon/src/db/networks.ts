/** @module Managed network rows. */
import { conflict, notFound } from '@corral/api'
import type { Db } from './db.js'

/** A managed network as stored. */
export interface NetworkRecord {
  id: number
  name: string
  type: string
  description: string
  config: Record<string, string>
}

interface Row {
  id: number
  name: string
  type: string
  description: string
  config: string
}

const select = 'SELECT id, name, type, description, config FROM networks'
const toRecord = (r: Row): NetworkRecord => ({ ...r, config: JSON.parse(r.config) as Record<string, string> })

/** Every managed network, by name. */
export function listNetworks(db: Db): NetworkRecord[] {
  return (db.prepare(`${select} ORDER BY name`).all() as Row[]).map(toRecord)
}

/** The managed network of that name, if any. */
export function findNetwork(db: Db, name: string): NetworkRecord | undefined {
  const row = db.prepare(`${select} WHERE name = ?`).get(name) as Row | undefined
  return row && toRecord(row)
}

/** The managed network of that name, or 404. */
export function getNetwork(db: Db, name: string): NetworkRecord {
  const found = findNetwork(db, name)
  if (!found) throw notFound('Network not found')
  return found
}

/** Inserts a network; 409 when the name is taken. */
export function createNetwork(db: Db, n: Omit<NetworkRecord, 'id'>): NetworkRecord {
  return db.transaction(() => {
    if (findNetwork(db, n.name)) throw conflict(`The network already exists`)
    const r = db
      .prepare('INSERT INTO networks (name, type, description, config) VALUES (?, ?, ?, ?)')
      .run(n.name, n.type, n.description, JSON.stringify(n.config))
    return { ...n, id: Number(r.lastInsertRowid) }
  })()
}

/** Replaces a network's description and config. */
export function updateNetwork(
  db: Db,
  id: number,
  content: { description: string; config: Record<string, string> },
): void {
  db.prepare('UPDATE networks SET description = ?, config = ? WHERE id = ?').run(
    content.description,
    JSON.stringify(content.config),
    id,
  )
}

/** Renames a network; 409 when the new name is taken. */
export function renameNetwork(db: Db, id: number, name: string): void {
  db.transaction(() => {
    if (findNetwork(db, name)) throw conflict(`Network "${name}" already exists`)
    db.prepare('UPDATE networks SET name = ? WHERE id = ?').run(name, id)
  })()
}

/** Removes a network's row. */
export function deleteNetwork(db: Db, id: number): void {
  db.prepare('DELETE FROM networks WHERE id = ?').run(id)
}

/** An instance or profile with its own device map (what may use a network). */
export interface DeviceOwner {
  kind: 'instances' | 'profiles'
  project: string
  name: string
  devices: Record<string, Record<string, string>>
}

/** Every instance and profile with its devices, by project and name. */
export function listDeviceOwners(db: Db): DeviceOwner[] {
  const out: DeviceOwner[] = []
  for (const kind of ['instances', 'profiles'] as const) {
    const rows = db
      .prepare(
        `SELECT j.name AS project, t.name, t.devices FROM ${kind} t JOIN projects j ON j.id = t.project_id ORDER BY j.name, t.name`,
      )
      .all() as { project: string; name: string; devices: string }[]
    for (const r of rows)
      out.push({
        kind,
        project: r.project,
        name: r.name,
        devices: JSON.parse(r.devices) as DeviceOwner['devices'],
      })
  }
  return out
}
