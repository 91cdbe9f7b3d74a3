/** @module Cgroup housekeeping: LXC fails to start when a fixed-name cgroup is left over. */
import { existsSync, readFileSync, readdirSync, rmdirSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { CgroupTarget } from './cgroup-control.js'

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
  for (const h of [root, ...hierarchies]) {
    const base = ownCgroup(h === root ? '' : basename(h)) ?? '/'
    // Below the daemon's own cgroup, and at the hierarchy's root, where LXC (as root) puts them
    // whatever cgroup the daemon that started the container was in: a daemon started in
    // another cgroup (another login session) still finds those its predecessor left.
    for (const name of names) {
      removeTree(join(h, base, name))
      removeTree(join(h, name))
    }
  }
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

/** Memory, swap, CPU time and process count of a container's payload cgroup. */
export function cgroupUsage(t: CgroupTarget): {
  memory: number
  memoryPeak: number
  swap: number
  swapPeak: number
  cpuNs: number
  processes: number
} {
  if (t.version === 'v1') {
    const mem = t.dir('memory')
    const memory = readNumber(join(mem, 'memory.usage_in_bytes'))
    const memoryPeak = readNumber(join(mem, 'memory.max_usage_in_bytes'))
    // v1 counts memory and swap together in memsw (when swap accounting is on); swap is the rest, as LXD.
    const memsw = readNumber(join(mem, 'memory.memsw.usage_in_bytes'))
    const memswPeak = readNumber(join(mem, 'memory.memsw.max_usage_in_bytes'))
    return {
      memory,
      memoryPeak,
      swap: Math.max(0, memsw - memory),
      swapPeak: Math.max(0, memswPeak - memoryPeak),
      cpuNs: readNumber(join(t.dir('cpuacct'), 'cpuacct.usage')),
      processes: readNumber(join(t.dir('pids'), 'pids.current')),
    }
  }
  const v2dir = t.dir('')
  let cpuNs: number
  try {
    const usec = /usage_usec (\d+)/.exec(readFileSync(join(v2dir, 'cpu.stat'), 'utf8'))?.[1]
    cpuNs = Number(usec ?? 0) * 1000
  } catch {
    cpuNs = 0
  }
  return {
    memory: readNumber(join(v2dir, 'memory.current')),
    memoryPeak: readNumber(join(v2dir, 'memory.peak')),
    swap: readNumber(join(v2dir, 'memory.swap.current')),
    swapPeak: readNumber(join(v2dir, 'memory.swap.peak')),
    cpuNs,
    processes: readNumber(join(v2dir, 'pids.current')),
  }
}

let ownCgroups: { text: string; readAt: number } | undefined

/**
 * /proc/self/cgroup, read at most once a second: listing hundreds of instances asks for it once
 * per instance, and the daemon's own cgroup only changes when an administrator moves it.
 */
function ownCgroupText(): string {
  const now = Date.now()
  if (!ownCgroups || now - ownCgroups.readAt > 1000)
    ownCgroups = { text: readFileSync('/proc/self/cgroup', 'utf8'), readAt: now }
  return ownCgroups.text
}

/** This process's cgroup path in a hierarchy (`pids`, or `` for the unified one), from /proc/self/cgroup. */
function ownCgroup(controller: string, text?: string): string | undefined {
  try {
    for (const line of (text ?? ownCgroupText()).split('\n')) {
      const [, controllers, path] = line.split(':')
      if (controllers === undefined || path === undefined) continue
      const names = controllers.split(',')
      if (
        controller === ''
          ? controllers === ''
          : names.includes(controller) || names.includes(`name=${controller}`)
      ) {
        return path
      }
    }
  } catch {
    return undefined
  }
  return undefined
}

/**
 * The directories of the cgroup `name` that holds process `pid` (a container's payload, which
 * holds its init), per controller: v1 hierarchies on a v1 or hybrid host, the unified one
 * otherwise. Read from /proc/PID/cgroup, so it is where LXC put it whatever the daemon's own
 * cgroup is (LXC escapes to the root), and a sub-cgroup the container made (init.scope) is
 * cut back to the payload itself.
 */
export function containerCgroupDirs(pid: number, name: string): CgroupTarget {
  let text = ''
  try {
    text = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
  } catch {
    // The process is gone: the paths below lead nowhere, and readers see nothing there.
  }
  return cgroupTargetOf(text, name, cgroupVersion() === 'cgroup' ? 'v1' : 'v2', root)
}

/**
 * The pure half of containerCgroupDirs: from /proc/PID/cgroup's text, the directory of cgroup
 * `name` per controller below `mountRoot` (v1: one hierarchy per controller; v2: the unified one).
 */
export function cgroupTargetOf(
  procCgroup: string,
  name: string,
  version: 'v1' | 'v2',
  mountRoot: string,
): CgroupTarget {
  const paths = new Map<string, string>()
  for (const line of procCgroup.split('\n')) {
    const [, controllers, path] = line.split(':')
    if (controllers === undefined || path === undefined) continue
    const at = path.indexOf(`/${name}`)
    const own = at < 0 ? path : path.slice(0, at + name.length + 1)
    for (const c of controllers.split(',')) paths.set(c, own)
  }
  const fallback = `/${name}`
  if (version === 'v1') return { version, dir: (c) => join(mountRoot, c, paths.get(c) ?? fallback) }
  return { version, dir: () => join(mountRoot, paths.get('') ?? fallback) }
}

/**
 * Where LXC puts a container's cgroup: below the daemon's own (lxc-start inherits it), pids
 * hierarchy first. `procSelfCgroup`: /proc/self/cgroup read now, rather than the cached one.
 */
export function cgroupDir(name: string, procSelfCgroup?: string): string | undefined {
  const v1 = ownCgroup('pids', procSelfCgroup)
  if (v1 !== undefined && existsSync(join(root, 'pids'))) return join(root, 'pids', v1, name)
  const v2 = ownCgroup('', procSelfCgroup)
  if (v2 === undefined) return undefined
  return existsSync(join(root, 'unified')) ? join(root, 'unified', v2, name) : join(root, v2, name)
}

/** A running container's LXC monitor and the container's init (the monitor's child). */
export interface ContainerPids {
  monitor: number
  init: number
}

/**
 * The monitor and init pids of a running container, read from its LXC monitor's cgroup: the
 * monitor's child is the container's init. 0 when the container is not running; undefined
 * when this cannot be told from here (then ask LXC).
 */
export function containerPids(monitorCgroup: string): ContainerPids | 0 | undefined {
  const dir = cgroupDir(monitorCgroup)
  if (dir === undefined) return undefined
  let monitors: string[]
  try {
    monitors = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)
  } catch (err) {
    return (err as { code?: string }).code === 'ENOENT' ? 0 : undefined
  }
  for (const pid of monitors) {
    try {
      const child = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]
      if (child) return { monitor: Number(pid), init: Number(child) }
    } catch {
      return undefined
    }
  }
  return 0
}

/**
 * The init pid of a running container (see {@link containerPids}): 0 when the container is
 * not running; undefined when this cannot be told from here (then ask LXC).
 */
export function containerInitPid(monitorCgroup: string): number | undefined {
  const pids = containerPids(monitorCgroup)
  return pids ? pids.init : pids
}

/** Whether `pid` is a process of the cgroup `name` (a line of /proc/PID/cgroup ends with it). */
export function processInCgroup(pid: number, name: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .split('\n')
      .some((l) => l.endsWith(`/${name}`))
  } catch {
    return false
  }
}
