/** @module Opens the SQLite database on disk and applies pending schema updates. */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { schemaUpdates } from './schema.js'

/** The daemon's database handle. */
export type Db = Database.Database

/** Opens (creating if needed) `<dir>/local.db`, in WAL mode, with schema updates applied. */
export function openDatabase(dir: string): Db {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const db = new Database(join(dir, 'local.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  applyUpdates(db)
  return db
}

function applyUpdates(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > schemaUpdates.length) {
    throw new Error(
      `Database schema version ${current} is newer than this daemon knows (${schemaUpdates.length})`,
    )
  }
  for (let v = current; v < schemaUpdates.length; v++) {
    db.transaction(() => {
      db.exec(schemaUpdates[v]!)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}
