/** @module /1.0/instances/{name}/state: read the live state, and start/stop/restart. */
import { badRequest } from '@corral/api'
import * as db from '../db/instances.js'
import { cleanStopInProgress, preemptCleanStop } from '../instance/clean-stops.js'
import {
  freezeInstance,
  restartInstance,
  startInstance,
  stopInstance,
  unfreezeInstance,
} from '../instance/lifecycle.js'
import { runtimeState } from '../instance/container.js'
import { lockKey } from '../instance/service.js'
import { stateWithNetwork } from '../instance/wire.js'
import { asObject, stringField } from './body.js'
import { can } from './access.js'
import { endpoint } from './endpoint.js'
import { callerOf, instanceOperation } from './instance-op.js'
import { async, sync } from './response.js'

const descriptions: Record<string, string> = {
  start: 'Starting instance',
  stop: 'Stopping instance',
  restart: 'Restarting instance',
  freeze: 'Freezing instance',
  unfreeze: 'Unfreezing instance',
}

/** The instance state endpoint. */
export const instanceStateEndpoints = [
  endpoint('/1.0/instances/{name}/state', {
    get: {
      access: can('view'),
      handler: async (req) => {
        const inst = db.getInstance(req.state.db, req.project(), req.params.name!)
        return sync(await stateWithNetwork(req.state, inst, await runtimeState(req.state, inst), true))
      },
    },
    put: {
      access: can('operate-containers'),
      handler: async (req) => {
        const inst = db.getInstance(req.state.db, req.project(), req.params.name!)
        const body = asObject(await req.json())
        const action = stringField(body, 'action')
        if (!descriptions[action]) throw badRequest(`Unknown action "${action}"`)
        if (body.timeout !== undefined && typeof body.timeout !== 'number')
          throw badRequest('Invalid value for field "timeout": must be a number')
        if (body.force !== undefined && typeof body.force !== 'boolean')
          throw badRequest('Invalid value for field "force": must be a boolean')
        // As LXD: a timeout of 0 means a forced stop, none (or a negative one) the default wait.
        const opts = {
          force: body.force === true || body.timeout === 0,
          timeout: typeof body.timeout === 'number' && body.timeout > 0 ? body.timeout : -1,
        }
        // Refuse at once what LXD refuses at once, so the client sees a 400 and not a failed operation.
        const status = (await runtimeState(req.state, inst)).status
        const alive = status === 'Running' || status === 'Frozen'
        if (action === 'start' && alive) throw badRequest('The instance is already running')
        if (action === 'stop' && !alive) throw badRequest('The instance is already stopped')
        if ((action === 'freeze' || action === 'unfreeze') && !alive)
          throw badRequest("The container isn't running")
        if (action === 'freeze' && status === 'Frozen') throw badRequest('The container is already frozen')
        if (action === 'unfreeze' && status !== 'Frozen') throw badRequest('The container is already running')
        const caller = callerOf(req)
        // A forced stop does not queue behind a clean stop that waits on the container: it kills
        // the container, and both return once that stop has ended (LXD's operation lock does so).
        if (action === 'stop' && opts.force && cleanStopInProgress(lockKey(inst.project, inst.name)))
          return async(
            instanceOperation(
              req,
              { name: inst.name, description: descriptions[action], unlocked: true },
              () => preemptCleanStop(req.state, inst),
            ),
          )
        return async(
          instanceOperation(req, { name: inst.name, description: descriptions[action] }, async () => {
            const now = db.getInstance(req.state.db, inst.project, inst.name)
            if (action === 'start') await startInstance(req.state, now, caller)
            else if (action === 'stop') await stopInstance(req.state, now, opts, caller)
            else if (action === 'freeze') await freezeInstance(req.state, now, caller)
            else if (action === 'unfreeze') await unfreezeInstance(req.state, now, caller)
            else await restartInstance(req.state, now, opts, caller)
          }),
        )
      },
    },
  }),
]
