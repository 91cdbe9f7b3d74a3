/** @module Cgroup housekeeping: LXC fails to start when a fixed-name cgroup is left over. */
import { readFileSync, readdirSync, rmdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = '/sys/fs/cgroup'

/** Which cgroup keys this host takes: v1 (`cgroup`, also on hybrid hosts) or unified (`cgroup2`). */
export function cgroupVersion(): 'cgroup' | 'cgroup2' {
  try {
    statSync(join(root, 'memory'))
    return 'cgroup'
  } catch {
    return 'cgroup2'
  }
}

function removeTree(dir: string): void {
  let entries: string[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
  } catch {
    return
  }
  for (const child of entries) removeTree(join(dir, child))
  try {
    rmdirSync(dir)
  } catch {
    // Busy (processes inside) or already gone: leave it.
  }
}

/** Removes empty leftover cgroups of one container (its monitor and payload dirs) in every hierarchy. */
export function removeStaleCgroups(names: string[]): void {
  let hierarchies: string[]
  try {
    hierarchies = readdirSync(root).map((h) => join(root, h))
  } catch {
    return
  }
  for (const h of [root, ...hierarchies]) for (const name of names) removeTree(join(h, name))
}

/** Number of CPUs online (for `limits.cpu` as a count). */
export function onlineCpuCount(): number {
  try {
    return readdirSync('/sys/devices/system/cpu').filter((d) => /^cpu\d+$/.test(d)).length || 1
  } catch {
    return 1
  }
}

function readNumber(path: string): number {
  try {
    return Number(readFileSync(path, 'utf8').trim()) || 0
  } catch {
    return 0
  }
}

/** Memory, CPU time and process count of a container's payload cgroup. */
export function cgroupUsage(payload: string): {
  memory: number
  memoryPeak: number
  cpuNs: number
  processes: number
} {
  if (cgroupVersion() === 'cgroup') {
    return {
      memory: readNumber(join(root, 'memory', payload, 'memory.usage_in_bytes')),
      memoryPeak: readNumber(join(root, 'memory', payload, 'memory.max_usage_in_bytes')),
      cpuNs: readNumber(join(root, 'cpuacct', payload, 'cpuacct.usage')),
      processes: readNumber(join(root, 'pids', payload, 'pids.current')),
    }
  }
  let cpuNs: number
  try {
    const usec = /usage_usec (\d+)/.exec(readFileSync(join(root, payload, 'cpu.stat'), 'utf8'))?.[1]
    cpuNs = Number(usec ?? 0) * 1000
  } catch {
    cpuNs = 0
  }
  return {
    memory: readNumber(join(root, payload, 'memory.current')),
    memoryPeak: readNumber(join(root, payload, 'memory.peak')),
    cpuNs,
    processes: readNumber(join(root, payload, 'pids.current')),
  }
}
