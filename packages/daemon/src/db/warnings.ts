/** @module Warning rows: one per (type, project, entity), raised and resolved by the daemon. */
import { notFound, type WarningSeverity, type WarningStatus } from '@corral/api'
import type { Db } from './db.js'

/** A warning as stored. */
export interface WarningRecord {
  uuid: string
  /** '' for a server-wide warning. */
  project: string
  /** '' for the server itself. */
  entity_url: string
  type: string
  severity: WarningSeverity
  status: WarningStatus
  first_seen_at: string
  last_seen_at: string
  /** When the status last changed (resolved warnings are pruned a day after). */
  updated_at: string
  last_message: string
  count: number
}

const columns =
  'uuid, project, entity_url, type, severity, status, first_seen_at, last_seen_at, updated_at, last_message, count'

/** Which warnings to list; every field narrows. */
export interface WarningQuery {
  project?: string
  /** Types starting with this text (`security: `). */
  typePrefix?: string
}

/** Warnings matching the query, oldest first. */
export function listWarnings(db: Db, q: WarningQuery = {}): WarningRecord[] {
  const where: string[] = []
  const args: Record<string, string> = {}
  if (q.project !== undefined) {
    where.push('project = @project')
    args.project = q.project
  }
  if (q.typePrefix !== undefined) {
    where.push('substr(type, 1, length(@prefix)) = @prefix')
    args.prefix = q.typePrefix
  }
  const sql = `SELECT ${columns} FROM warnings${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`
  return db.prepare(sql).all(args) as WarningRecord[]
}

/** The warning with this uuid, or 404 as LXD words it. */
export function getWarning(db: Db, uuid: string): WarningRecord {
  const row = db.prepare(`SELECT ${columns} FROM warnings WHERE uuid = ?`).get(uuid) as
    WarningRecord | undefined
  if (!row) throw notFound('Warning not found')
  return row
}

/** The warning of a type on an entity, if any. */
export function findWarning(
  db: Db,
  key: Pick<WarningRecord, 'type' | 'project' | 'entity_url'>,
): WarningRecord | undefined {
  return db
    .prepare(
      `SELECT ${columns} FROM warnings WHERE type = @type AND project = @project AND entity_url = @entity_url`,
    )
    .get(key) as WarningRecord | undefined
}

/** Inserts a new warning. */
export function insertWarning(db: Db, w: WarningRecord): void {
  db.prepare(
    `INSERT INTO warnings (${columns}) VALUES (@uuid, @project, @entity_url, @type, @severity, @status, @first_seen_at, @last_seen_at, @updated_at, @last_message, @count)`,
  ).run(w)
}

/** Replaces the mutable fields of a warning. */
export function updateWarning(db: Db, w: WarningRecord): void {
  db.prepare(
    'UPDATE warnings SET severity = @severity, status = @status, last_seen_at = @last_seen_at, updated_at = @updated_at, last_message = @last_message, count = @count WHERE uuid = @uuid',
  ).run(w)
}

/** Deletes a warning; 404 when there is none. */
export function deleteWarning(db: Db, uuid: string): void {
  if (db.prepare('DELETE FROM warnings WHERE uuid = ?').run(uuid).changes === 0)
    throw notFound('Warning not found')
}
