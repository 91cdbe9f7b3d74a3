/** @module Server config rows. */
import type { Db } from './db.js'

/** Reads the whole server config map. */
export function loadServerConfig(db: Db): Record<string, string> {
  const rows = db.prepare('SELECT key, value FROM config ORDER BY key').all() as {
    key: string
    value: string
  }[]
  return Object.fromEntries(rows.map((r) => [r.key, r.value]))
}

/** Replaces the whole server config map in one transaction. */
export function replaceServerConfig(db: Db, config: Record<string, string>): void {
  db.transaction(() => {
    db.prepare('DELETE FROM config').run()
    const insert = db.prepare('INSERT INTO config (key, value) VALUES (?, ?)')
    for (const [k, v] of Object.entries(config)) if (v !== '') insert.run(k, v)
  })()
}
