/** @module The per-daemon prefix of container cgroup names. */
import { createHash } from 'node:crypto'

const prefixes = new Map<string, string>()

/** A short per-daemon cgroup prefix, so two daemons (or LXD) never share a cgroup name. */
export function cgroupPrefix(stateDir: string): string {
  let prefix = prefixes.get(stateDir)
  if (prefix === undefined) {
    prefix = `corral-${createHash('sha256').update(stateDir).digest('hex').slice(0, 8)}`
    prefixes.set(stateDir, prefix)
  }
  return prefix
}
