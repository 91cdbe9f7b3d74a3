/** @module Reads a container's run state from LXC (lxc-info), through the host seam. */
import type { InstanceRecord } from '../../db/instances.js'
import type { State } from '../../state.js'
import { lxcName, lxcPath } from './paths.js'

/** LXD's instance status names. */
export type InstanceStatus = 'Running' | 'Stopped' | 'Frozen' | 'Error'

/** A container's status and init pid (0 when not running). */
export interface RuntimeState {
  status: InstanceStatus
  pid: number
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

/** Asks LXC for the container's state; a container LXC does not know is Stopped. */
export async function runtimeState(
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
