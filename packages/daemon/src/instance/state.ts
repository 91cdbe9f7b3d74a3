/** @module GET /1.0/instances/{name}/state: status, pid, processes, memory and cpu of a container. */
import type { InstanceState } from '@corral/api'
import { cgroupUsage } from '../host/cgroups.js'
import type { State } from '../state.js'
import { cgroupPrefix } from './lxc/cgroup-prefix.js'
import { lxcName } from './lxc/paths.js'
import type { RuntimeState } from './lxc/runtime.js'
import { statusCodeOf } from './status.js'

/** The state block LXD returns for an instance; `network` comes from instanceNetworkState(). */
export function instanceStateOf(
  state: State,
  inst: { project: string; name: string },
  run: RuntimeState,
  network: Record<string, unknown> = {},
): InstanceState {
  const running = run.status === 'Running' && run.pid > 0
  const usage = running
    ? cgroupUsage(`${cgroupPrefix(state.paths.dir)}.payload.${lxcName(inst.project, inst.name)}`)
    : { memory: 0, memoryPeak: 0, cpuNs: 0, processes: 0 }
  return {
    status: run.status,
    status_code: statusCodeOf(run.status),
    disk: {},
    memory: { usage: usage.memory, usage_peak: usage.memoryPeak, swap_usage: 0, swap_usage_peak: 0 },
    network: running ? network : null,
    pid: running ? run.pid : 0,
    processes: usage.processes,
    cpu: { usage: usage.cpuNs },
  }
}
