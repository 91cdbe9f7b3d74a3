/** @module Profile rows. */
import { conflict, notFound } from '@corral/api'
import type { Db } from './db.js'
import { renameScoped } from './rename.js'

/** A profile as stored. */
export interface ProfileRecord {
  id: number
  project: string
  name: string
  description: string
  config: Record<string, string>
  devices: Record<string, Record<string, string>>
}

interface Row {
  id: number
  project: string
  name: string
  description: string
  config: string
  devices: string
}

const select =
  'SELECT p.id, j.name AS project, p.name, p.description, p.config, p.devices FROM profiles p JOIN projects j ON j.id = p.project_id'

const toRecord = (r: Row): ProfileRecord => ({
  ...r,
  config: JSON.parse(r.config) as Record<string, string>,
  devices: JSON.parse(r.devices) as Record<string, Record<string, string>>,
})

/** The content of a profile a write replaces. */
export interface ProfileContent {
  description: string
  config: Record<string, string>
  devices: Record<string, Record<string, string>>
}

/** Lists a project's profiles by name. */
export function listProfiles(db: Db, project: string): ProfileRecord[] {
  return (db.prepare(`${select} WHERE j.name = ? ORDER BY p.name`).all(project) as Row[]).map(toRecord)
}

/** Gets one profile or throws 404. */
export function getProfile(db: Db, project: string, name: string): ProfileRecord {
  const row = db.prepare(`${select} WHERE j.name = ? AND p.name = ?`).get(project, name) as Row | undefined
  if (!row) throw notFound('Profile not found')
  return toRecord(row)
}

/** Creates a profile; 409 when one of that name exists in the project. */
export function createProfile(db: Db, project: string, name: string, content: ProfileContent): void {
  db.transaction(() => {
    const proj = db.prepare('SELECT id FROM projects WHERE name = ?').get(project) as
      { id: number } | undefined
    if (!proj) throw notFound('Project not found')
    if (db.prepare('SELECT 1 FROM profiles WHERE project_id = ? AND name = ?').get(proj.id, name)) {
      throw conflict(`Error inserting "${name}" into database: The profile already exists`)
    }
    db.prepare(
      'INSERT INTO profiles (project_id, name, description, config, devices) VALUES (?, ?, ?, ?, ?)',
    ).run(proj.id, name, content.description, JSON.stringify(content.config), JSON.stringify(content.devices))
  })()
}

/** Replaces a profile's description, config and devices in one write. */
export function updateProfile(db: Db, id: number, content: ProfileContent): void {
  db.prepare('UPDATE profiles SET description = ?, config = ?, devices = ? WHERE id = ?').run(
    content.description,
    JSON.stringify(content.config),
    JSON.stringify(content.devices),
    id,
  )
}

/** Renames a profile and the name in the profile lists of `usedIn` projects' instances and snapshots; 409 when taken. */
export function renameProfile(db: Db, id: number, newName: string, usedIn: string[]): void {
  db.transaction(() => {
    const { name: oldName } = db.prepare('SELECT name FROM profiles WHERE id = ?').get(id) as { name: string }
    renameScoped(db, { table: 'profiles', scope: 'project_id' }, id, newName)
    // Instances name their profiles; every list that named the old name names the new one.
    const swap = (json: string) =>
      JSON.stringify((JSON.parse(json) as string[]).map((n) => (n === oldName ? newName : n)))
    const lists = [
      [
        'instances',
        'SELECT i.id, i.profiles FROM instances i JOIN projects j ON j.id = i.project_id WHERE j.name = ?',
      ],
      [
        'instances_snapshots',
        'SELECT s.id, s.profiles FROM instances_snapshots s JOIN instances i ON i.id = s.instance_id JOIN projects j ON j.id = i.project_id WHERE j.name = ?',
      ],
    ] as const
    for (const [table, select] of lists)
      for (const project of usedIn)
        for (const row of db.prepare(select).all(project) as { id: number; profiles: string }[])
          db.prepare(`UPDATE ${table} SET profiles = ? WHERE id = ?`).run(swap(row.profiles), row.id)
  })()
}

/** Deletes a profile. */
export function deleteProfile(db: Db, id: number): void {
  db.prepare('DELETE FROM profiles WHERE id = ?').run(id)
}
