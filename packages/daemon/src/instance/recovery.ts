/** @module At daemon start: undo the host changes of containers that are no longer running (stopped on their own, or a start the daemon died in). */
import { listInstances } from '../db/instances.js'
import type { State } from '../state.js'
import { hasApplied } from '../device/applied.js'
import { stopDevices } from './lxc/devices.js'
import { isAlive, runtimeState } from './lxc/runtime.js'

/** Undoes the recorded host changes of every instance that has some and is not running. */
export async function recoverHostChanges(state: State): Promise<void> {
  for (const inst of listInstances(state.db, undefined)) {
    if (!hasApplied(state.paths.dir, inst)) continue
    if (isAlive(await runtimeState(state, inst))) continue
    state.log.info('Undoing the host changes of a stopped instance', {
      project: inst.project,
      instance: inst.name,
    })
    await stopDevices(state, inst)
  }
}
