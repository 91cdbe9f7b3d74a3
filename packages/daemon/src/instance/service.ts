/** @module Instances: expansion, validation and the wire form. */
import type { Instance, InstanceFull, InstanceState } from '@corral/api'
import { badRequest } from '@corral/api'
import { instanceKeys } from '../config/instance-keys.js'
import * as db from '../db/instances.js'
import { validateDevices } from '../device/registry.js'
import { checkNics } from '../network/nic-checks.js'
import { seccompPolicy } from './lxc/seccomp.js'
import { checkPrivilege } from './privilege-policy.js'
import type { State } from '../state.js'
import { KeyedLock } from '../util/keyed-lock.js'
import { rootDisk, type Expanded } from './expand.js'
import { expandedOf } from './expanded.js'
import { checkProjectPolicy } from './project-policy.js'
import { validateVolatile } from './volatile.js'

export { expandedOf, loadProfiles } from './expanded.js'
import { runtimeState, type RuntimeState } from './lxc/runtime.js'
import { instanceNetworkState } from './network-state.js'
import { instanceStateOf } from './state.js'
import { statusCodeOf } from './status.js'

export type { InstanceRecord } from '../db/instances.js'

/** One lock for all instance work: operations on one instance run one at a time. */
export const instanceLock = new KeyedLock()

/** The lock key of an instance. */
export const lockKey = (project: string, name: string): string => `${project}/${name}`

/** Validates local config and devices, the expanded result (root disk, privilege, NICs) and the project's restrictions and limits with it. */
export function validateInstance(
  state: State,
  inst: Pick<db.InstanceRecord, 'project' | 'name' | 'profiles' | 'config' | 'devices'>,
): Expanded {
  instanceKeys.validate(inst.config)
  validateVolatile(inst.config)
  validateDevices(inst.devices)
  const expanded = expandedOf(state, inst)
  instanceKeys.validate(expanded.config)
  validateDevices(expanded.devices)
  if (!rootDisk(expanded.devices)) throw badRequest('Failed getting root disk: No root device could be found')
  checkPrivilege(state, expanded.config)
  checkProjectPolicy(state, inst.project, { name: inst.name, content: inst })
  seccompPolicy(expanded.config)
  checkNics(state.db, expanded.devices, () =>
    db
      .listInstances(state.db, undefined)
      .filter((i) => !(i.project === inst.project && i.name === inst.name))
      .map((i) => ({ project: i.project, name: i.name, devices: expandedOf(state, i).devices })),
  )
  return expanded
}

/** The storage pool of an instance's root disk. */
export function rootPoolOf(expanded: Expanded): string {
  return rootDisk(expanded.devices)?.[1].pool ?? ''
}

/** The wire form of an instance (recursion 1), with its live status. */
export function toApiInstance(state: State, inst: db.InstanceRecord, run: RuntimeState): Instance {
  const expanded = expandedOf(state, inst)
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

/** The wire form with state and snapshots (recursion 2). */
export async function toApiInstanceFull(
  state: State,
  inst: db.InstanceRecord,
  run: RuntimeState,
): Promise<InstanceFull> {
  const { toApiSnapshot } = await import('./snapshots.js')
  return {
    ...toApiInstance(state, inst, run),
    state: await stateWithNetwork(state, inst, run),
    snapshots: db.listSnapshots(state.db, inst.id).map((s) => toApiSnapshot(state, inst, s)),
    backups: null,
  }
}

/** The state block including the network section read inside the container. */
export async function stateWithNetwork(
  state: State,
  inst: db.InstanceRecord,
  run: RuntimeState,
): Promise<InstanceState> {
  const running = run.status === 'Running' && run.pid > 0
  const network = running
    ? await instanceNetworkState(state, run.pid, inst.config, expandedOf(state, inst).devices)
    : {}
  return instanceStateOf(state, inst, run, network)
}

/** The live state of many instances, queried in parallel. */
export function runtimeStates(state: State, list: db.InstanceRecord[]): Promise<RuntimeState[]> {
  return Promise.all(list.map((i) => runtimeState(state, i)))
}
