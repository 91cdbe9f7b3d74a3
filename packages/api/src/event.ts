/** @module Event wire types for /1.0/events (shared/api/event.go). */
import type { Requestor } from './operation.js'

/** Event types a client can subscribe to. */
export type EventType = 'operation' | 'lifecycle' | 'logging'

/** One event on the /1.0/events stream. */
export interface Event<T = unknown> {
  type: EventType
  timestamp: string
  metadata: T
  location: string
  project?: string
}

/** Metadata of a lifecycle event. */
export interface EventLifecycle {
  action: string
  source: string
  context?: Record<string, unknown>
  requestor?: Requestor
}

/** Metadata of a logging event. */
export interface EventLogging {
  message: string
  level: string
  context: Record<string, string>
}
