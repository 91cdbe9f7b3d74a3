/** @module /1.0/events: the event stream as a websocket. */
import { badRequest, type EventType } from '@corral/api'
import { isTrue } from '../config/validate.js'
import { endpoint } from './endpoint.js'

const allTypes: EventType[] = ['operation', 'lifecycle', 'logging']

/** Parses `type=a,b`; all types when absent. */
export function parseEventTypes(raw: string | null): Set<EventType> {
  if (!raw) return new Set(allTypes)
  const types = raw.split(',').filter((t) => t !== '')
  for (const t of types)
    if (!allTypes.includes(t as EventType)) throw badRequest(`"${t}" isn't a supported event type`)
  return new Set(types as EventType[])
}

/** The events endpoint. */
export const eventEndpoints = [
  endpoint(
    '/1.0/events',
    {},
    {
      access: 'trusted',
      check: (req) => void parseEventTypes(req.query.get('type')),
      handler: (req, ws) => {
        const types = parseEventTypes(req.query.get('type'))
        const project = isTrue(req.query.get('all-projects') ?? '') ? undefined : req.project()
        const unsubscribe = req.state.events.subscribe({
          types,
          project,
          send: (event) => ws.send(JSON.stringify(event)),
        })
        ws.on('close', unsubscribe)
        ws.on('error', unsubscribe)
        // Listeners only receive; anything they send is ignored, as LXD does.
        ws.on('message', () => {})
      },
    },
  ),
]
