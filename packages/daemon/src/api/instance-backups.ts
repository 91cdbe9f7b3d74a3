/** @module GET /1.0/instances/{name}/backups: the instance's backups (URLs, or objects with recursion). */
import * as db from '../db/instances.js'
import { entityUrl } from '../events/lifecycle.js'
import { listInstanceBackups } from '../instance/backups.js'
import { can } from './access.js'
import { endpoint } from './endpoint.js'
import { recursionLevel } from './query.js'
import { sync } from './response.js'

/** The backup list endpoint (creating, exporting and importing backups belong to the backup store). */
export const instanceBackupEndpoints = [
  endpoint('/1.0/instances/{name}/backups', {
    get: {
      access: can('view'),
      handler: (req) => {
        const inst = db.getInstance(req.state.db, req.project(), req.params.name!)
        const backups = listInstanceBackups(req.state, inst)
        if (recursionLevel(req) > 0) return sync(backups)
        return sync(
          backups.map((b) => entityUrl(`/1.0/instances/${inst.name}/backups/${b.name}`, inst.project)),
        )
      },
    },
  }),
]
