/** @module /1.0/events: a websocket that delivers each event as parsed JSON. */
import type { Event } from '@corral/api'
import type { Requester } from './requester.js'

/** What to listen for. */
export interface ListenOptions {
  /** Event types (`operation`, `lifecycle`, `logging`); all types when empty. */
  types?: readonly string[]
  /** Events of every project (`all-projects=true`). */
  allProjects?: boolean
}

/** A live event subscription. */
export interface EventStream {
  /** Calls `handler` for each event as it arrives. */
  onEvent(handler: (event: Event) => void): void
  /** Resolves when the server closes the stream, with the reason. */
  closed: Promise<string>
  /** Stops listening. */
  close(): void
}

/** Builds the events path: `/1.0/events?type=a,b[&all-projects=true]`, project-scoped. */
export function eventsPath(opts: ListenOptions, scoped: (p: string) => string): string {
  const query: string[] = []
  if (opts.types && opts.types.length > 0) query.push(`type=${opts.types.map(encodeURIComponent).join(',')}`)
  if (opts.allProjects) query.push('all-projects=true')
  const path = `/1.0/events${query.length ? `?${query.join('&')}` : ''}`
  return opts.allProjects ? path : scoped(path)
}

/** Opens the event stream. */
export async function listenEvents(r: Requester, opts: ListenOptions = {}): Promise<EventStream> {
  const socket = await r.transport.websocket(eventsPath(opts, (p) => r.scoped(p)))
  return {
    onEvent: (handler) => socket.onMessage((text) => handler(JSON.parse(text) as Event)),
    closed: socket.closed,
    close: () => socket.close(),
  }
}
