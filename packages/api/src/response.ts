/** @module LXD's three response envelopes; every one carries all seven fields. */

/** A synchronous success: HTTP 200 or 201. */
export interface SyncEnvelope<T = unknown> {
  type: 'sync'
  status: 'Success'
  status_code: 200
  operation: ''
  error_code: 0
  error: ''
  metadata: T
}

/** A background operation was created: HTTP 202 with its URL in `operation` and Location. */
export interface AsyncEnvelope<T = unknown> {
  type: 'async'
  status: 'Operation created'
  status_code: 100
  operation: string
  error_code: 0
  error: ''
  metadata: T
}

/** A failure: `error_code` equals the HTTP status. */
export interface ErrorEnvelope {
  type: 'error'
  status: ''
  status_code: 0
  operation: ''
  error_code: number
  error: string
  metadata: unknown
}

/** Any of the three envelopes. */
export type Envelope<T = unknown> = SyncEnvelope<T> | AsyncEnvelope<T> | ErrorEnvelope

/** Builds a sync envelope. */
export function syncEnvelope<T>(metadata: T): SyncEnvelope<T> {
  return {
    type: 'sync',
    status: 'Success',
    status_code: 200,
    operation: '',
    error_code: 0,
    error: '',
    metadata,
  }
}

/** Builds an async envelope for an operation URL. */
export function asyncEnvelope<T>(operation: string, metadata: T): AsyncEnvelope<T> {
  return {
    type: 'async',
    status: 'Operation created',
    status_code: 100,
    operation,
    error_code: 0,
    error: '',
    metadata,
  }
}

/** Builds an error envelope. */
export function errorEnvelope(code: number, message: string, metadata: unknown = null): ErrorEnvelope {
  return {
    type: 'error',
    status: '',
    status_code: 0,
    operation: '',
    error_code: code,
    error: message,
    metadata,
  }
}
