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
  cacheStatements(db)
  return db
}

/**
 * Makes `db.prepare` return one compiled statement per SQL text: compiling costs more than
 * running most of our queries, and a list of 30 instances compiled several hundred. Safe
 * because no caller switches a statement's mode (pluck, raw, expand) or iterates one while
 * running it again; the few SQL texts built at run time name tables, not values, so the cache
 * stays small (and is emptied should it ever grow past its bound).
 */
function cacheStatements(db: Db): void {
  const compile = db.prepare.bind(db)
  const cache = new Map<string, Database.Statement>()
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql)
    if (!statement) {
      if (cache.size >= 1000) cache.clear()
      statement = compile(sql)
      cache.set(sql, statement)
    }
    return statement
  }) as Db['prepare']
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
