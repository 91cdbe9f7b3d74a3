/** @module The wire form of instances: recursion 1 (config and status) and 2 (state and snapshots). */
import type { Instance, InstanceFull, InstanceState } from '@corral/api'
import * as db from '../db/instances.js'
import type { State } from '../state.js'
import { listBackups, toApiBackup } from './backup-files.js'
import type { Expanded } from './expand.js'
import { expandedOf } from './expanded.js'
import { isAlive, type RuntimeState } from './lxc/runtime.js'
import { instanceNetworkState } from './network-state.js'
import { toApiSnapshot } from './snapshots.js'
import { instanceStateOf } from './state.js'
import { statusCodeOf } from './status.js'

/** The wire form of an instance (recursion 1), with its live status. */
export function toApiInstance(
  state: State,
  inst: db.InstanceRecord,
  run: RuntimeState,
  expanded: Expanded = expandedOf(state, inst),
): Instance {
  return {
    architecture: inst.architecture,
    config: inst.config,
    devices: inst.devices,
    ephemeral: inst.ephemeral,
    profiles: inst.profiles,
    stateful: inst.stateful,
    description: inst.description,
    created_at: inst.created_at,
    expanded_config: expanded.config,
    expanded_devices: expanded.devices,
    name: inst.name,
    status: run.status,
    status_code: statusCodeOf(run.status),
    last_used_at: inst.last_used_at || '1970-01-01T00:00:00Z',
    location: 'none',
    type: 'container',
    project: inst.project,
  }
}

/** The wire form with state, snapshots and backups (an instance's GET with recursion, a list's recursion 2). */
export async function toApiInstanceFull(
  state: State,
  inst: db.InstanceRecord,
  run: RuntimeState,
  everyInterface = false,
): Promise<InstanceFull> {
  // Expanded once for both halves: with its profile reads it is most of a list entry's cost.
  const expanded = expandedOf(state, inst)
  return {
    ...toApiInstance(state, inst, run, expanded),
    state: await stateWithNetwork(state, inst, run, everyInterface, expanded),
    snapshots: db.listSnapshots(state.db, inst.id).map((s) => toApiSnapshot(state, inst, s)),
    backups: backupsOf(state, inst),
  }
}

/** An instance's backups in the wire form, null when it has none (LXD's rendering). */
function backupsOf(state: State, inst: db.InstanceRecord) {
  const list = listBackups(state, inst.project, inst.name)
  return list.length > 0 ? list.map(toApiBackup) : null
}

/** The state block including the network section read inside the container (`lo` too when `everyInterface`). */
export async function stateWithNetwork(
  state: State,
  inst: db.InstanceRecord,
  run: RuntimeState,
  everyInterface = false,
  expanded: Expanded = expandedOf(state, inst),
): Promise<InstanceState> {
  const running = isAlive(run) && run.pid > 0
  const devices = expanded.devices
  const network = running
    ? await instanceNetworkState(state, run.pid, inst.config, devices, everyInterface)
    : {}
  return instanceStateOf(state, inst, run, network)
}
