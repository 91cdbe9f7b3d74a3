/** @module THE list of all endpoints the daemon serves. */
import type { Endpoint } from './endpoint.js'
import { eventEndpoints } from './events.js'
import { imageEndpoints } from './images.js'
import { instanceExecEndpoints } from './instance-exec.js'
import { instanceFileEndpoints } from './instance-files.js'
import { internalEndpoints } from './internal.js'
import { operationWebsocketEndpoints } from './operation-websocket.js'
import { operationEndpoints } from './operations.js'
import { profileEndpoints } from './profiles.js'
import { projectEndpoints } from './projects.js'
import { rootEndpoints } from './root.js'
import { storagePoolEndpoints } from './storage-pools.js'

/** Every endpoint, mounted once by router.ts. */
export const endpoints: readonly Endpoint[] = [
  ...rootEndpoints,
  ...eventEndpoints,
  ...operationEndpoints,
  ...profileEndpoints,
  ...imageEndpoints,
  ...projectEndpoints,
  ...storagePoolEndpoints,
  ...instanceExecEndpoints,
  ...instanceFileEndpoints,
  ...operationWebsocketEndpoints,
  ...internalEndpoints,
]

export { mount, type Router } from './router.js'
export type { Identity } from './endpoint.js'
