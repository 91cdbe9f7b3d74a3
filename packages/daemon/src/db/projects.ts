/** @module Project rows. */
import { conflict, notFound } from '@corral/api'
import { isTrue } from '../config/validate.js'
import type { Db } from './db.js'

/** A project as stored. */
export interface ProjectRecord {
  id: number
  name: string
  description: string
  config: Record<string, string>
}

interface Row {
  id: number
  name: string
  description: string
  config: string
}

const toRecord = (r: Row): ProjectRecord => ({ ...r, config: JSON.parse(r.config) as Record<string, string> })

/** Lists every project by name. */
export function listProjects(db: Db): ProjectRecord[] {
  return (db.prepare('SELECT * FROM projects ORDER BY name').all() as Row[]).map(toRecord)
}

/** Gets one project or throws 404. */
export function getProject(db: Db, name: string): ProjectRecord {
  const row = db.prepare('SELECT * FROM projects WHERE name = ?').get(name) as Row | undefined
  if (!row) throw notFound('Project not found')
  return toRecord(row)
}

/** The project whose profiles a project uses: itself, or `default` when its features.profiles is off. */
export function profileProjectName(db: Db, project: string): string {
  const { name, config } = getProject(db, project)
  return isTrue(config['features.profiles']) ? name : 'default'
}

/** Creates a project (and its default profile when it has its own profiles); 409 when it exists. */
export function createProject(
  db: Db,
  p: { name: string; description: string; config: Record<string, string> },
  withDefaultProfile: boolean,
): void {
  db.transaction(() => {
    if (db.prepare('SELECT 1 FROM projects WHERE name = ?').get(p.name)) {
      throw conflict(`Project "${p.name}" already exists`)
    }
    const { lastInsertRowid } = db
      .prepare('INSERT INTO projects (name, description, config) VALUES (?, ?, ?)')
      .run(p.name, p.description, JSON.stringify(p.config))
    if (withDefaultProfile) {
      db.prepare("INSERT INTO profiles (project_id, name, description) VALUES (?, 'default', ?)").run(
        lastInsertRowid,
        `Default LXD profile for project ${p.name}`,
      )
    }
  })()
}

/** Replaces a project's description and config. */
export function updateProject(
  db: Db,
  name: string,
  p: { description: string; config: Record<string, string> },
): void {
  db.prepare('UPDATE projects SET description = ?, config = ? WHERE name = ?').run(
    p.description,
    JSON.stringify(p.config),
    name,
  )
}

/** Renames a project; 409 when the new name is taken. */
export function renameProject(db: Db, name: string, newName: string): void {
  db.transaction(() => {
    if (db.prepare('SELECT 1 FROM projects WHERE name = ?').get(newName)) {
      throw conflict(`Project "${newName}" already exists`)
    }
    db.prepare('UPDATE projects SET name = ? WHERE name = ?').run(newName, name)
  })()
}

/** Deletes a project and, by cascade, its profiles. */
export function deleteProject(db: Db, name: string): void {
  db.prepare('DELETE FROM projects WHERE name = ?').run(name)
}
