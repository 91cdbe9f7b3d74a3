/** @module Instances: expansion, validation, the instance lock and live states. */
import { badRequest } from '@corral/api'
import { instanceKeys } from '../config/instance-keys.js'
import * as db from '../db/instances.js'
import { validateDevices } from '../device/registry.js'
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
  // The expanded devices again, now with what depends on the instance and the host (networks, other instances).
  validateDevices(expanded.devices, {
    db: state.db,
    instance: { project: inst.project, name: inst.name },
    others: () =>
      db
        .listInstances(state.db, undefined)
        .filter((i) => !(i.project === inst.project && i.name === inst.name))
        .map((i) => ({ project: i.project, name: i.name, devices: expandedOf(state, i).devices })),
  })
  return expanded
}

/** The storage pool of an instance's root disk. */
export function rootPoolOf(expanded: Expanded): string {
  return rootDisk(expanded.devices)?.[1].pool ?? ''
}

/** The live state of many instances, queried in parallel. */
export function runtimeStates(state: State, list: db.InstanceRecord[]): Promise<RuntimeState[]> {
  return Promise.all(list.map((i) => runtimeState(state, i)))
}
