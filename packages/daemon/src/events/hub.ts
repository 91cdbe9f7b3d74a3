/** @module The event hub: fans events out to /1.0/events listeners by type and project. */
import type { Event, EventType } from '@corral/api'

/** A listener's subscription. */
export interface Subscription {
  types: ReadonlySet<EventType>
  /** Project to follow; undefined follows every project. */
  project: string | undefined
  /** Skip server-wide events (no project): a restricted certificate sees only its projects'. */
  projectOnly?: boolean
  send(event: Event): void
}

/** Distributes events to subscribers; sending never throws into the caller. */
export class EventHub {
  private readonly subs = new Set<Subscription>()

  /** Adds a listener; returns the function that removes it. */
  subscribe(sub: Subscription): () => void {
    this.subs.add(sub)
    return () => this.subs.delete(sub)
  }

  /** Number of connected listeners. */
  get size(): number {
    return this.subs.size
  }

  /** Sends an event of a type, stamped now, to every matching listener. */
  publish(type: EventType, metadata: unknown, project?: string): void {
    const event: Event = { type, timestamp: new Date().toISOString(), metadata, location: 'none' }
    if (project !== undefined) event.project = project
    for (const sub of this.subs) {
      if (!sub.types.has(type)) continue
      if (sub.project !== undefined && project !== undefined && sub.project !== project) continue
      if (sub.projectOnly && project === undefined) continue
      try {
        sub.send(event)
      } catch {
        this.subs.delete(sub)
      }
    }
  }
}
