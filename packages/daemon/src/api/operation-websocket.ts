/** @module /1.0/operations/{id}/websocket: joins a websocket operation with one of its fd secrets. */
import { forbidden } from '@corral/api'
import { endpoint, type ApiRequest } from './endpoint.js'

function fdOf(req: ApiRequest): { fd: string; op: ReturnType<ApiRequest['state']['operations']['get']> } {
  const op = req.state.operations.get(req.params.id!)
  const fd = op.socketFd(req.query.get('secret') ?? '')
  if (fd === undefined) throw forbidden()
  return { fd, op }
}

/** The operation websocket endpoint; the secret is the credential, as in LXD (no Origin needed). */
export const operationWebsocketEndpoints = [
  endpoint(
    '/1.0/operations/{id}/websocket',
    {},
    {
      access: 'untrusted',
      check: (req) => void fdOf(req),
      handler: (req, ws) => {
        try {
          const { fd, op } = fdOf(req)
          op.connect(fd, ws)
        } catch {
          ws.close(1008)
        }
      },
    },
  ),
]
