/** @module The per-daemon prefix of container cgroup names. */
import { createHash } from 'node:crypto'

/** A short per-daemon cgroup prefix, so two daemons (or LXD) never share a cgroup name. */
export function cgroupPrefix(stateDir: string): string {
  return `corral-${createHash('sha256').update(stateDir).digest('hex').slice(0, 8)}`
}
