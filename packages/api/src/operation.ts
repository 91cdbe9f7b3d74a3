/** @module Operation wire types (shared/api/operation.go). */

/** Operation class: a background task, a websocket session, or a token. */
export type OperationClass = 'task' | 'websocket' | 'token'

/** Who asked for an operation or caused an event. */
export interface Requestor {
  username: string
  protocol: string
  address: string
}

/**
 * An operation as GET /1.0/operations/{id} returns it: exactly LXD 5.0.2's fields (its
 * operations carry no `requestor`; that came with later API extensions).
 */
export interface Operation {
  id: string
  class: OperationClass
  description: string
  created_at: string
  updated_at: string
  status: string
  status_code: number
  resources: Record<string, string[]> | null
  metadata: Record<string, unknown> | null
  may_cancel: boolean
  err: string
  location: string
}
