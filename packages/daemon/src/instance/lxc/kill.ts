/** @module Kills a running container through pidfds and waits, on events, until LXC has torn it down. */
import { constants } from 'node:os'
import type { InstanceRecord } from '../../db/instances.js'
import { containerPids, processInCgroup } from '../../host/cgroups.js'
import { openProcess, type ProcessHandle } from '../../host/pidfd.js'
import { processParent } from '../../host/proc.js'
import type { State } from '../../state.js'
import { cgroupPrefix } from './cgroup-prefix.js'
import { lxcName } from './paths.js'

/** How long the monitor may take to tear down after its init died before LXC is asked instead. */
const monitorGraceMs = 30_000

/** Resolves true when `p` settles within `ms`, false after that. */
function within(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]).finally(() => clearTimeout(timer))
}

/**
 * SIGKILLs the container's init and resolves once its LXC monitor has exited, i.e. once LXC has
 * removed its cgroups, mounts and network namespace (the kernel killed every other process of
 * the container's pid namespace before the init's exit was reported). Both processes are held
 * by pidfds, opened before their identity is checked (the init is the monitor's child, the
 * monitor is in the container's monitor cgroup), so the signal cannot reach a process that
 * reused the pid. Resolves 'stopped' when it was not running, 'unknown' when this cannot be
 * told from here or LXC's monitor did not end in time (the caller then asks LXC itself).
 */
export async function killContainer(
  state: State,
  inst: Pick<InstanceRecord, 'project' | 'name'>,
): Promise<'killed' | 'stopped' | 'unknown'> {
  const monitorCgroup = `${cgroupPrefix(state.paths.dir)}.monitor.${lxcName(inst.project, inst.name)}`
  const pids = containerPids(monitorCgroup)
  if (pids === 0) return 'stopped'
  if (pids === undefined) return 'unknown'
  const held: ProcessHandle[] = []
  try {
    const monitor = openProcess(pids.monitor)
    if (!monitor) return 'unknown'
    held.push(monitor)
    const init = openProcess(pids.init)
    if (!init) return 'unknown'
    held.push(init)
    // Checked after both pidfds exist; the monitor still alive afterwards (signal 0) proves the
    // checks read the held processes, and so does the init's kill succeeding.
    if (
      !processInCgroup(pids.monitor, monitorCgroup) ||
      processParent(pids.init) !== pids.monitor ||
      !monitor.signal(0)
    )
      return 'unknown'
    init.signal(constants.signals.SIGKILL)
    await init.exited()
    return (await within(monitor.exited(), monitorGraceMs)) ? 'killed' : 'unknown'
  } finally {
    for (const p of held) p.close()
  }
}
