/** @module /1.0/events: the event stream as a websocket. */
import { badRequest, forbidden, type EventType } from '@corral/api'
import { isTrue } from '../config/validate.js'
import type { Subscription } from '../events/hub.js'
import { inProject, isAdmin } from './access.js'
import { endpoint, type ApiRequest } from './endpoint.js'

const allTypes: EventType[] = ['operation', 'lifecycle', 'logging']

/** Bytes of events queued for one listener before it is dropped as too slow. */
export const maxEventBacklog = 4 * 1024 * 1024

/** Parses `type=a,b`; all types when absent. */
export function parseEventTypes(raw: string | null): Set<EventType> {
  if (!raw) return new Set(allTypes)
  const types = raw.split(',').filter((t) => t !== '')
  for (const t of types)
    if (!allTypes.includes(t as EventType)) throw badRequest(`"${t}" isn't a supported event type`)
  return new Set(types as EventType[])
}

/**
 * What a caller may listen to: a restricted certificate only its projects' events (not all
 * projects at once) and never the daemon's log, as LXD keeps logging events for admins.
 */
function subscription(req: ApiRequest): Omit<Subscription, 'send'> {
  const types = parseEventTypes(req.query.get('type'))
  const all = isTrue(req.query.get('all-projects') ?? '')
  if (isAdmin(req.identity)) return { types, project: all ? undefined : req.project() }
  if (all || !inProject(req.identity, req.project())) throw forbidden()
  if (req.query.get('type') && types.has('logging')) throw forbidden('Forbidden')
  types.delete('logging')
  return { types, project: req.project(), projectOnly: true }
}

/** The events endpoint. */
export const eventEndpoints = [
  endpoint(
    '/1.0/events',
    {},
    {
      access: 'authenticated',
      check: (req) => void subscription(req),
      // Listeners only receive: a big frame from one is not a request.
      maxPayload: 64 * 1024,
      handler: (req, ws) => {
        const unsubscribe = req.state.events.subscribe({
          ...subscription(req),
          send: (event) => {
            // A listener that does not read is dropped rather than buffered for without bound.
            if (ws.bufferedAmount > maxEventBacklog) {
              unsubscribe()
              return ws.terminate()
            }
            ws.send(JSON.stringify(event))
          },
        })
        ws.on('close', unsubscribe)
        ws.on('error', unsubscribe)
        // Listeners only receive; anything they send is ignored, as LXD does.
        ws.on('message', () => {})
      },
    },
  ),
]
