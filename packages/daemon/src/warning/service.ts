/** @module Warnings: raised and resolved by the daemon, acknowledged or deleted by the admin. */
import { randomUUID } from 'node:crypto'
import { badRequest, forbidden, type Requestor, type Warning, type WarningSeverity } from '@corral/api'
import * as db from '../db/warnings.js'
import { publishLifecycle } from '../events/lifecycle.js'
import type { State } from '../state.js'

export type { WarningRecord } from '../db/warnings.js'

/** Resolved warnings are deleted this long after they were resolved (LXD prunes them daily, after 24 h). */
const pruneAfterMs = 24 * 60 * 60 * 1000

/** The wire form of a warning. */
export function toApiWarning(w: db.WarningRecord): Warning {
  return {
    status: w.status,
    uuid: w.uuid,
    location: 'none',
    project: w.project,
    type: w.type,
    count: w.count,
    first_seen_at: w.first_seen_at,
    last_seen_at: w.last_seen_at,
    last_message: w.last_message,
    severity: w.severity,
    entity_url: w.entity_url,
  }
}

/** Every warning, or those of one project. */
export function listWarnings(state: State, project?: string): db.WarningRecord[] {
  return db.listWarnings(state.db, project === undefined ? {} : { project })
}

/** One warning, or 404. */
export function getWarning(state: State, uuid: string): db.WarningRecord {
  return db.getWarning(state.db, uuid)
}

/**
 * Sets a warning's status as a client asks (PUT/PATCH): `acknowledged` or `new`; `resolved`
 * is the daemon's to set (403, as LXD), anything else is 400. Nothing changes on error.
 */
export function setWarningStatus(state: State, uuid: string, status: string, requestor: Requestor): void {
  const current = db.getWarning(state.db, uuid)
  // LXD's words, "type" included, so scripts matching them keep working.
  if (!['new', 'acknowledged', 'resolved'].includes(status))
    throw badRequest(`Invalid warning type ${JSON.stringify(status)}`)
  if (status === 'resolved') throw forbidden('Status may only be set to "acknowledge" or "new"')
  db.updateWarning(state.db, {
    ...current,
    status: status as 'new' | 'acknowledged',
    updated_at: new Date().toISOString(),
  })
  const action = status === 'acknowledged' ? 'warning-acknowledged' : 'warning-reset'
  publishLifecycle(state.events, action, `/1.0/warnings/${uuid}`, { requestor })
}

/** Deletes a warning (it comes back if the daemon sees its cause again). */
export function deleteWarning(state: State, uuid: string, requestor: Requestor): void {
  db.deleteWarning(state.db, uuid)
  publishLifecycle(state.events, 'warning-deleted', `/1.0/warnings/${uuid}`, { requestor })
}

/** A warning the daemon sees now. */
export interface RaisedWarning {
  type: string
  severity: WarningSeverity
  /** '' for a server-wide warning. */
  project: string
  /** '' for the server itself. */
  entityUrl: string
  message: string
}

const keyOf = (w: { type: string; project: string; entity_url: string }) =>
  JSON.stringify([w.type, w.project, w.entity_url])

/**
 * Brings the warnings whose type starts with `typePrefix` to what the daemon sees now, in one
 * transaction: new ones are added; one that had been resolved and is seen again becomes `new`
 * with its count raised (an acknowledged one stays acknowledged); a changed message or
 * severity is updated; those no longer seen are resolved; resolved ones older than a day go.
 * Rows are written only when something changed. Returns true when something did.
 */
export function syncWarnings(
  state: State,
  opts: {
    typePrefix: string
    raised: readonly RaisedWarning[]
    /** Types the daemon could not judge this time: their warnings are left as they are. */
    unknown?: readonly string[]
    now?: Date
  },
): boolean {
  const { typePrefix, raised, unknown = [], now = new Date() } = opts
  const at = now.toISOString()
  let changed = false
  state.db.transaction(() => {
    const seen = new Set<string>()
    for (const r of raised) {
      const key = { type: r.type, project: r.project, entity_url: r.entityUrl }
      if (!r.type.startsWith(typePrefix) || seen.has(keyOf(key))) continue
      seen.add(keyOf(key))
      const current = db.findWarning(state.db, key)
      if (!current) {
        db.insertWarning(state.db, {
          ...key,
          uuid: randomUUID(),
          severity: r.severity,
          status: 'new',
          first_seen_at: at,
          last_seen_at: at,
          updated_at: at,
          last_message: r.message,
          count: 1,
        })
        changed = true
        continue
      }
      const again = current.status === 'resolved'
      if (!again && current.last_message === r.message && current.severity === r.severity) continue
      db.updateWarning(state.db, {
        ...current,
        severity: r.severity,
        last_message: r.message,
        last_seen_at: at,
        ...(again ? { status: 'new', count: current.count + 1, updated_at: at } : {}),
      })
      changed = true
    }
    for (const w of db.listWarnings(state.db, { typePrefix })) {
      if (seen.has(keyOf(w)) || unknown.includes(w.type)) continue
      if (w.status !== 'resolved') {
        db.updateWarning(state.db, { ...w, status: 'resolved', updated_at: at })
        changed = true
      } else if (now.getTime() - Date.parse(w.updated_at) >= pruneAfterMs) {
        db.deleteWarning(state.db, w.uuid)
        changed = true
      }
    }
  })()
  return changed
}
