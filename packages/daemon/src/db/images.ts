/** @module Image and image alias rows. */
import { conflict, notFound } from '@corral/api'
import type { Db } from './db.js'

/** An image as stored. Timestamps are ISO strings, '' for never. */
export interface ImageRecord {
  id: number
  project: string
  fingerprint: string
  filename: string
  size: number
  public: boolean
  autoUpdate: boolean
  architecture: string
  type: string
  createdAt: string
  expiresAt: string
  uploadedAt: string
  lastUsedAt: string
  properties: Record<string, string>
  profiles: string[]
}

/** The fields of a new image row. */
export type NewImage = Omit<ImageRecord, 'id' | 'project' | 'lastUsedAt'>

/** The fields PUT/PATCH replace. */
export interface ImageWritable {
  public: boolean
  autoUpdate: boolean
  expiresAt: string
  properties: Record<string, string>
  profiles: string[]
}

/** An alias as stored, with its target's fingerprint. */
export interface AliasRecord {
  id: number
  project: string
  name: string
  description: string
  imageId: number
  target: string
  type: string
}

interface ImageRow {
  id: number
  project: string
  fingerprint: string
  filename: string
  size: number
  public: number
  auto_update: number
  architecture: string
  type: string
  created_at: string
  expires_at: string
  uploaded_at: string
  last_used_at: string
  properties: string
  profiles: string
}

interface AliasRow {
  id: number
  project: string
  name: string
  description: string
  image_id: number
  target: string
  type: string
}

const selectImage = 'SELECT i.*, j.name AS project FROM images i JOIN projects j ON j.id = i.project_id'
const selectAlias =
  'SELECT a.id, j.name AS project, a.name, a.description, a.image_id, i.fingerprint AS target, i.type FROM images_aliases a JOIN projects j ON j.id = a.project_id JOIN images i ON i.id = a.image_id'

const toImage = (r: ImageRow): ImageRecord => ({
  id: r.id,
  project: r.project,
  fingerprint: r.fingerprint,
  filename: r.filename,
  size: r.size,
  public: r.public !== 0,
  autoUpdate: r.auto_update !== 0,
  architecture: r.architecture,
  type: r.type,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  uploadedAt: r.uploaded_at,
  lastUsedAt: r.last_used_at,
  properties: JSON.parse(r.properties) as Record<string, string>,
  profiles: JSON.parse(r.profiles) as string[],
})

const toAlias = (r: AliasRow): AliasRecord => ({
  id: r.id,
  project: r.project,
  name: r.name,
  description: r.description,
  imageId: r.image_id,
  target: r.target,
  type: r.type,
})

function projectId(db: Db, project: string): number {
  const row = db.prepare('SELECT id FROM projects WHERE name = ?').get(project) as { id: number } | undefined
  if (!row) throw notFound('Project not found')
  return row.id
}

/** Lists a project's images by fingerprint. */
export function listImages(db: Db, project: string): ImageRecord[] {
  return (
    db.prepare(`${selectImage} WHERE j.name = ? ORDER BY i.fingerprint`).all(project) as ImageRow[]
  ).map(toImage)
}

/** The images of a project whose fingerprint starts with `prefix`. */
export function findImagesByPrefix(db: Db, project: string, prefix: string): ImageRecord[] {
  const rows = db
    .prepare(`${selectImage} WHERE j.name = ? AND substr(i.fingerprint, 1, ?) = ? ORDER BY i.fingerprint`)
    .all(project, prefix.length, prefix) as ImageRow[]
  return rows.map(toImage)
}

/** Every image row holding a fingerprint, in any project (the files are shared). */
export function countImageFingerprint(db: Db, fingerprint: string): number {
  return (
    db.prepare('SELECT COUNT(*) AS n FROM images WHERE fingerprint = ?').get(fingerprint) as { n: number }
  ).n
}

/** Inserts an image; 409 when the project already holds its fingerprint. */
export function createImage(db: Db, project: string, image: NewImage): ImageRecord {
  return db.transaction(() => {
    const pid = projectId(db, project)
    if (
      db.prepare('SELECT 1 FROM images WHERE project_id = ? AND fingerprint = ?').get(pid, image.fingerprint)
    ) {
      throw conflict('Image with same fingerprint already exists')
    }
    const info = db
      .prepare(
        `INSERT INTO images (project_id, fingerprint, filename, size, public, auto_update, architecture, type,
          created_at, expires_at, uploaded_at, properties, profiles) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        pid,
        image.fingerprint,
        image.filename,
        image.size,
        image.public ? 1 : 0,
        image.autoUpdate ? 1 : 0,
        image.architecture,
        image.type,
        image.createdAt,
        image.expiresAt,
        image.uploadedAt,
        JSON.stringify(image.properties),
        JSON.stringify(image.profiles),
      )
    const row = db.prepare(`${selectImage} WHERE i.id = ?`).get(info.lastInsertRowid) as ImageRow
    return toImage(row)
  })()
}

/** Replaces an image's writable fields. */
export function updateImage(db: Db, id: number, w: ImageWritable): void {
  db.prepare(
    'UPDATE images SET public = ?, auto_update = ?, expires_at = ?, properties = ?, profiles = ? WHERE id = ?',
  ).run(
    w.public ? 1 : 0,
    w.autoUpdate ? 1 : 0,
    w.expiresAt,
    JSON.stringify(w.properties),
    JSON.stringify(w.profiles),
    id,
  )
}

/** Records that an instance was created from the image. */
export function touchImage(db: Db, id: number, when: string): void {
  db.prepare('UPDATE images SET last_used_at = ? WHERE id = ?').run(when, id)
}

/** Deletes an image and, by cascade, its aliases. */
export function deleteImage(db: Db, id: number): void {
  db.prepare('DELETE FROM images WHERE id = ?').run(id)
}

/** Lists a project's aliases by name. */
export function listAliases(db: Db, project: string): AliasRecord[] {
  return (db.prepare(`${selectAlias} WHERE j.name = ? ORDER BY a.name`).all(project) as AliasRow[]).map(
    toAlias,
  )
}

/** The aliases pointing at one image. */
export function aliasesOfImage(db: Db, imageId: number): AliasRecord[] {
  return (db.prepare(`${selectAlias} WHERE a.image_id = ? ORDER BY a.name`).all(imageId) as AliasRow[]).map(
    toAlias,
  )
}

/** One alias, or undefined. */
export function findAlias(db: Db, project: string, name: string): AliasRecord | undefined {
  const row = db.prepare(`${selectAlias} WHERE j.name = ? AND a.name = ?`).get(project, name) as
    AliasRow | undefined
  return row ? toAlias(row) : undefined
}

/** Creates an alias; 409 when the name is taken in the project. */
export function createAlias(
  db: Db,
  project: string,
  name: string,
  imageId: number,
  description: string,
): void {
  db.transaction(() => {
    const pid = projectId(db, project)
    if (db.prepare('SELECT 1 FROM images_aliases WHERE project_id = ? AND name = ?').get(pid, name)) {
      throw conflict('Alias already exists')
    }
    db.prepare(
      'INSERT INTO images_aliases (project_id, name, image_id, description) VALUES (?, ?, ?, ?)',
    ).run(pid, name, imageId, description)
  })()
}

/** Replaces an alias's target and description. */
export function updateAlias(db: Db, id: number, imageId: number, description: string): void {
  db.prepare('UPDATE images_aliases SET image_id = ?, description = ? WHERE id = ?').run(
    imageId,
    description,
    id,
  )
}

/** Renames an alias; 409 when the new name is taken in its project. */
export function renameAlias(db: Db, id: number, newName: string): void {
  db.transaction(() => {
    const taken = db
      .prepare(
        'SELECT 1 FROM images_aliases WHERE name = ? AND project_id = (SELECT project_id FROM images_aliases WHERE id = ?)',
      )
      .get(newName, id)
    if (taken) throw conflict('Alias already exists')
    db.prepare('UPDATE images_aliases SET name = ? WHERE id = ?').run(newName, id)
  })()
}

/** Deletes an alias. */
export function deleteAlias(db: Db, id: number): void {
  db.prepare('DELETE FROM images_aliases WHERE id = ?').run(id)
}
