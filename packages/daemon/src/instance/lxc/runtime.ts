/** @module Reads a container's run state from LXC (lxc-info), through the host seam. */
import type { InstanceRecord } from '../../db/instances.js'
import { freezerState, type CgroupTarget } from '../../host/cgroup-control.js'
import { containerCgroupDirs, containerInitPid } from '../../host/cgroups.js'
import type { State } from '../../state.js'
import { cgroupPrefix } from './cgroup-prefix.js'
import { lxcName, lxcPath } from './paths.js'
import { processExists } from '../../host/proc.js'

/** LXD's instance status names. */
export type InstanceStatus = 'Running' | 'Stopped' | 'Frozen' | 'Error'

/** A container's status and init pid (0 when not running). */
export interface RuntimeState {
  status: InstanceStatus
  pid: number
}

/** True when the container runs, frozen or not: it has processes, namespaces and host changes. */
export function isAlive(run: RuntimeState): boolean {
  return run.status === 'Running' || run.status === 'Frozen'
}

/** The payload cgroup of a running container (its init is `pid`), as its freezer, limits and usage see it. */
export function payloadCgroup(
  state: State,
  inst: Pick<InstanceRecord, 'project' | 'name'>,
  pid: number,
): CgroupTarget {
  return containerCgroupDirs(
    pid,
    `${cgroupPrefix(state.paths.dir)}.payload.${lxcName(inst.project, inst.name)}`,
  )
}

const statusOf: Record<string, InstanceStatus> = {
  RUNNING: 'Running',
  STOPPED: 'Stopped',
  FROZEN: 'Frozen',
  STARTING: 'Running',
  STOPPING: 'Running',
  ABORTING: 'Error',
  FREEZING: 'Running',
  THAWED: 'Running',
}

/**
 * The container's state: from its monitor's cgroup when that answers (no process spawned,
 * so listing hundreds of instances stays fast), else from lxc-info.
 */
export async function runtimeState(
  state: State,
  inst: Pick<InstanceRecord, 'project' | 'name'>,
): Promise<RuntimeState> {
  const pid = containerInitPid(`${cgroupPrefix(state.paths.dir)}.monitor.${lxcName(inst.project, inst.name)}`)
  if (pid === 0) return { status: 'Stopped', pid: 0 }
  if (pid !== undefined && processExists(pid))
    // Freezing still counts as running, as LXC's FREEZING does for LXD.
    return { status: freezerState(payloadCgroup(state, inst, pid)) === 'frozen' ? 'Frozen' : 'Running', pid }
  return lxcInfoState(state, inst)
}

/** Asks LXC for the container's state; a container LXC does not know is Stopped. */
async function lxcInfoState(
  state: State,
  inst: Pick<InstanceRecord, 'project' | 'name'>,
): Promise<RuntimeState> {
  try {
    const { stdout } = await state.host.run('lxc-info', [
      '-n',
      lxcName(inst.project, inst.name),
      '-P',
      lxcPath(state.paths.dir),
      '-s',
      '-p',
      '-H',
    ])
    const lxcState = /State:\s*(\w+)/.exec(stdout)?.[1] ?? ''
    const pid = Number(/PID:\s*(\d+)/.exec(stdout)?.[1] ?? 0)
    return { status: statusOf[lxcState] ?? 'Error', pid }
  } catch {
    return { status: 'Stopped', pid: 0 }
  }
}
