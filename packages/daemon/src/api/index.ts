/** @module THE list of all endpoints the daemon serves. */
import type { Endpoint } from './endpoint.js'
import { certificateEndpoints } from './certificates.js'
import { eventEndpoints } from './events.js'
import { imageEndpoints } from './images.js'
import { instanceEndpoints } from './instances.js'
import { instanceSnapshotEndpoints } from './instance-snapshots.js'
import { instanceBackupEndpoints } from './instance-backups.js'
import { instanceConsoleEndpoints } from './instance-console.js'
import { instanceStateEndpoints } from './instance-state.js'
import { instanceExecEndpoints } from './instance-exec.js'
import { instanceFileEndpoints } from './instance-files.js'
import { internalEndpoints } from './internal.js'
import { networkEndpoints } from './networks.js'
import { operationWebsocketEndpoints } from './operation-websocket.js'
import { operationEndpoints } from './operations.js'
import { profileEndpoints } from './profiles.js'
import { projectEndpoints } from './projects.js'
import { resourceEndpoints } from './resources.js'
import { rootEndpoints } from './root.js'
import { securityEndpoints } from './security.js'
import { storagePoolEndpoints } from './storage-pools.js'
import { storageVolumeBackupEndpoints } from './storage-volume-backups.js'
import { storageVolumeEndpoints } from './storage-volumes.js'
import { warningEndpoints } from './warnings.js'

/** Every endpoint except the /1.0/containers aliases. */
const primary: readonly Endpoint[] = [
  ...rootEndpoints,
  ...eventEndpoints,
  ...operationEndpoints,
  ...profileEndpoints,
  ...imageEndpoints,
  ...projectEndpoints,
  ...certificateEndpoints,
  ...instanceEndpoints,
  ...instanceStateEndpoints,
  ...instanceSnapshotEndpoints,
  ...instanceBackupEndpoints,
  ...instanceConsoleEndpoints,
  ...storagePoolEndpoints,
  ...storageVolumeEndpoints,
  ...storageVolumeBackupEndpoints,
  ...resourceEndpoints,
  ...networkEndpoints,
  ...instanceExecEndpoints,
  ...instanceFileEndpoints,
  ...operationWebsocketEndpoints,
  ...internalEndpoints,
  ...warningEndpoints,
  ...securityEndpoints,
]

/** LXD still serves the pre-`instances` paths; older clients (pylxd 2.2) use only these. */
const containerAliases = primary
  .filter((e) => e.path.startsWith('/1.0/instances'))
  .map((e) => ({ ...e, path: e.path.replace('/1.0/instances', '/1.0/containers') }))

/** Every endpoint, mounted once by router.ts. */
export const endpoints: readonly Endpoint[] = [...primary, ...containerAliases]

export { mount, type Router } from './router.js'
export type { Identity } from './access.js'
