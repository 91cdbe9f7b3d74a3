/** @module /1.0/instances/{name}/snapshots endpoints. */
import { badRequest } from '@corral/api'
import * as db from '../db/instances.js'
import { entityUrl } from '../events/lifecycle.js'
import { createSnapshot, deleteSnapshot, renameSnapshot, toApiSnapshot } from '../instance/snapshots.js'
import { asObject, stringField } from './body.js'
import { can } from './access.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { callerOf, instanceOperation } from './instance-op.js'
import { recursionLevel } from './query.js'
import { async, sync } from './response.js'
import { migrationSource } from './instance-migration.js'

const loadInstance = (req: ApiRequest) => db.getInstance(req.state.db, req.project(), req.params.name!)

/** The snapshot endpoints. */
export const instanceSnapshotEndpoints = [
  endpoint('/1.0/instances/{name}/snapshots', {
    get: {
      access: can('view'),
      handler: (req) => {
        const inst = loadInstance(req)
        const snaps = db.listSnapshots(req.state.db, inst.id)
        if (recursionLevel(req) > 0) return sync(snaps.map((s) => toApiSnapshot(req.state, inst, s)))
        return sync(
          snaps.map((s) => entityUrl(`/1.0/instances/${inst.name}/snapshots/${s.name}`, inst.project)),
        )
      },
    },
    post: {
      access: can('operate-containers'),
      handler: async (req) => {
        const inst = loadInstance(req)
        const body = asObject(await req.json())
        if (body.stateful === true) throw badRequest('Stateful snapshots are not supported')
        const name = stringField(body, 'name')
        return async(
          instanceOperation(req, { name: inst.name, description: 'Snapshotting instance' }, async () => {
            await createSnapshot(
              req.state,
              db.getInstance(req.state.db, inst.project, inst.name),
              name,
              callerOf(req),
            )
          }),
        )
      },
    },
  }),
  endpoint('/1.0/instances/{name}/snapshots/{snapshot}', {
    get: {
      access: can('operate-containers'),
      handler: (req) => {
        const inst = loadInstance(req)
        return sync(
          toApiSnapshot(req.state, inst, db.getSnapshot(req.state.db, inst.id, req.params.snapshot!)),
        )
      },
    },
    post: {
      access: can('operate-containers'),
      handler: async (req) => {
        const inst = loadInstance(req)
        const snap = db.getSnapshot(req.state.db, inst.id, req.params.snapshot!)
        const body = asObject(await req.json())
        if (body.migration) return migrationSource(req, inst, body, snap)
        const newName = stringField(body, 'name')
        return async(
          instanceOperation(req, { name: inst.name, description: 'Renaming snapshot' }, () =>
            renameSnapshot(req.state, inst, snap, newName, callerOf(req)),
          ),
        )
      },
    },
    delete: {
      access: can('operate-containers'),
      handler: (req) => {
        const inst = loadInstance(req)
        const snap = db.getSnapshot(req.state.db, inst.id, req.params.snapshot!)
        return async(
          instanceOperation(req, { name: inst.name, description: 'Deleting snapshot' }, () =>
            deleteSnapshot(req.state, inst, snap, callerOf(req)),
          ),
        )
      },
    },
  }),
]
