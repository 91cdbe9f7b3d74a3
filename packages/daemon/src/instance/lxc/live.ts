/** @module A running container changed in place: frozen and thawed, its limits set in its cgroups. */
import { applyLimits, freezeCgroup, thawCgroup, type LiveLimits } from '../../host/cgroup-control.js'
import { onlineCpuCount } from '../../host/cgroups.js'
import { totalmem } from 'node:os'
import type { InstanceRecord } from '../../db/instances.js'
import type { State } from '../../state.js'
import { memoryLimitBytes } from '../../util/size.js'
import { cpuSet } from './lxc-config.js'
import { payloadCgroup } from './runtime.js'

type Owner = Pick<InstanceRecord, 'project' | 'name'>

/** Freezes every process of the running container whose init is `pid` (LXD's pause). */
export function freezeContainer(state: State, inst: Owner, pid: number): Promise<void> {
  return freezeCgroup(payloadCgroup(state, inst, pid))
}

/** Thaws a frozen container (LXD's resume, or `lxc start` of a frozen one). */
export function thawContainer(state: State, inst: Owner, pid: number): Promise<void> {
  return thawCgroup(payloadCgroup(state, inst, pid))
}

/** The config keys a running container takes at once, in its cgroups. */
export const liveLimitKeys: readonly string[] = ['limits.memory', 'limits.cpu', 'limits.processes']

/** The cgroup limits that follow from a change of the expanded config (only the keys that changed). */
export function limitsOf(before: Record<string, string>, after: Record<string, string>): LiveLimits {
  const changed = (k: string) => (before[k] ?? '') !== (after[k] ?? '')
  const limits: LiveLimits = {}
  if (changed('limits.memory'))
    limits.memory = after['limits.memory'] ? memoryLimitBytes(after['limits.memory'], totalmem()) : null
  if (changed('limits.cpu'))
    limits.cpus = after['limits.cpu'] ? cpuSet(after['limits.cpu'], onlineCpuCount()) : null
  if (changed('limits.processes'))
    limits.processes = after['limits.processes'] ? Number(after['limits.processes']) : null
  return limits
}

/** Writes the changed limits into the running container's cgroups (all or none, see applyLimits). */
export function applyLiveLimits(
  state: State,
  inst: Owner,
  pid: number,
  before: Record<string, string>,
  after: Record<string, string>,
): void {
  applyLimits(payloadCgroup(state, inst, pid), limitsOf(before, after))
}
