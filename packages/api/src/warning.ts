/** @module Warning wire types (shared/api/warning.go, the `warnings` extension). */

/** A warning's status: `resolved` is set by the daemon only. */
export type WarningStatus = 'new' | 'acknowledged' | 'resolved'

/** How serious a warning is. */
export type WarningSeverity = 'low' | 'moderate' | 'high'

/** The writable field of a warning (PUT/PATCH /1.0/warnings/{uuid}). */
export interface WarningPut {
  status: WarningStatus
}

/** A warning as GET /1.0/warnings/{uuid} returns it. */
export interface Warning extends WarningPut {
  uuid: string
  /** The cluster member it occurred on (`none` when not clustered). */
  location: string
  /** The project it occurred in; empty for server-wide warnings. */
  project: string
  type: string
  count: number
  first_seen_at: string
  last_seen_at: string
  last_message: string
  severity: WarningSeverity
  /** The API URL of the entity concerned; empty for the server itself. */
  entity_url: string
}
