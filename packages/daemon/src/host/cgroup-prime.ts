/**
 * @module Starts the kernel's wait for a cgroup migration before a helper needs one. The first
 * migration after an idle spell (a write to a `cgroup.procs`) waits for an RCU grace period in
 * the kernel's cgroup_threadgroup_rwsem, 7-16 ms measured here; a migration queued behind one
 * in progress does not wait again. liblxc's attach (exec) and lxc-start move processes into
 * the container's cgroups a few ms after the helper starts, so a migration that changes
 * nothing, started as the helper is spawned, takes that wait off their path (exec: 48 to 45 ms
 * median over 25 interleaved runs; docs/performance.md).
 */
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { cgroupDir } from './cgroups.js'

let inFlight = false

/**
 * Writes the daemon's own pid into the `cgroup.procs` of the cgroup it is in, off the main
 * thread: the kernel moves no task (source and destination are one cgroup), and
 * /proc/self/cgroup is read at this moment, so a daemon an administrator just moved is not moved
 * back. One at a time; a failure (no such file, a read-only cgroup mount) changes nothing and
 * is ignored.
 */
export function primeCgroupMigration(): void {
  if (inFlight) return
  let procs: string | undefined
  try {
    procs = cgroupDir('cgroup.procs', readFileSync('/proc/self/cgroup', 'utf8'))
  } catch {
    return
  }
  if (!procs) return
  inFlight = true
  void writeFile(procs, String(process.pid))
    .catch(() => undefined)
    .finally(() => (inFlight = false))
}
