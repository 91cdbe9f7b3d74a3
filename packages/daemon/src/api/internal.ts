/** @module /internal endpoints: local-only daemon control. */
import { endpoint } from './endpoint.js'
import { empty } from './response.js'

/** Internal endpoints (unix socket only). */
export const internalEndpoints = [
  endpoint('/internal/ready', { get: { access: 'localOnly', handler: () => empty() } }),
  endpoint('/internal/shutdown', {
    put: {
      access: 'localOnly',
      handler: (req) => {
        req.state.requestShutdown()
        return empty()
      },
    },
  }),
]
