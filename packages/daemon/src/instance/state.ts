/** @module GET /1.0/instances/{name}/state: status, pid, processes, memory and cpu of a container. */
import type { InstanceState } from '@corral/api'
import { cgroupUsage } from '../host/cgroups.js'
import type { State } from '../state.js'
import { isAlive, payloadCgroup, type RuntimeState } from './lxc/runtime.js'
import { statusCodeOf } from './status.js'

/** The state block LXD returns for an instance; `network` comes from instanceNetworkState(). */
export function instanceStateOf(
  state: State,
  inst: { project: string; name: string },
  run: RuntimeState,
  network: Record<string, unknown> = {},
): InstanceState {
  const running = isAlive(run) && run.pid > 0
  const usage = running
    ? cgroupUsage(payloadCgroup(state, inst, run.pid))
    : { memory: 0, memoryPeak: 0, swap: 0, swapPeak: 0, cpuNs: 0, processes: 0 }
  return {
    status: run.status,
    status_code: statusCodeOf(run.status),
    disk: {},
    memory: {
      usage: usage.memory,
      usage_peak: usage.memoryPeak,
      swap_usage: usage.swap,
      swap_usage_peak: usage.swapPeak,
    },
    network: running ? network : null,
    pid: running ? run.pid : 0,
    processes: usage.processes,
    cpu: { usage: usage.cpuNs },
  }
}
