/** @module Renaming a row whose name is unique within a parent (project or instance). */
import { conflict } from '@corral/api'
import type { Db } from './db.js'

/** Tables whose rows are renamed within a scope column; fixed names, never user input. */
type Scoped =
  | { table: 'profiles'; scope: 'project_id' }
  | { table: 'instances'; scope: 'project_id' }
  | { table: 'instances_snapshots'; scope: 'instance_id' }

/** Renames row `id`; 409 when another row of the same scope has the name. */
export function renameScoped(db: Db, where: Scoped, id: number, newName: string): void {
  const { table, scope } = where
  db.transaction(() => {
    const taken = db
      .prepare(
        `SELECT 1 FROM ${table} WHERE name = ? AND ${scope} = (SELECT ${scope} FROM ${table} WHERE id = ?)`,
      )
      .get(newName, id)
    if (taken) throw conflict(`Name "${newName}" already in use`)
    db.prepare(`UPDATE ${table} SET name = ? WHERE id = ?`).run(newName, id)
  })()
}
