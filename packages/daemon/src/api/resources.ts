/** @module GET /1.0/resources: the host's CPUs, memory, disks and network cards. */
import { readResources } from '../host/resources.js'
import { endpoint } from './endpoint.js'
import { sync } from './response.js'

/** The resources endpoint. */
export const resourceEndpoints = [
  endpoint('/1.0/resources', {
    get: { access: 'authenticated', handler: () => sync(readResources()) },
  }),
]
