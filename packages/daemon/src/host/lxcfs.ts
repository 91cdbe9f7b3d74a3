/**
 * @module lxcfs as LXD uses it: Debian's lxcfs serving /var/lib/lxcfs, bound over a container's
 * /proc/meminfo, cpuinfo, uptime, ... by the mount hook its package puts in LXC's common.conf.d.
 * An init system normally runs it; where none does, the daemon starts it and keeps it running.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs'
import type { Logger } from '../log.js'
import type { CommandRunner } from './runner.js'

/** Where lxcfs serves its files (Debian's lxcfs.service, and LXD's expectation). */
export const lxcfsDir = '/var/lib/lxcfs'

/** Debian's binary, and the hook include that makes LXC bind lxcfs's files into containers. */
const lxcfsBin = '/usr/bin/lxcfs'
const lxcfsHooks = '/usr/share/lxc/config/common.conf.d/00-lxcfs.conf'

/** How often a running daemon checks that lxcfs still serves. */
const watchMs = 10_000

/** missing: not installed; stopped: nothing mounted; stale: mounted but its process is gone. */
export type LxcfsState = 'running' | 'stopped' | 'stale' | 'missing'

/** Whether lxcfs is installed and serving /var/lib/lxcfs. */
export function lxcfsState(): LxcfsState {
  if (!existsSync(lxcfsBin) || !existsSync(lxcfsHooks)) return 'missing'
  let mounted: boolean
  try {
    // mountinfo: "... MOUNTPOINT OPTIONS [TAGS] - FSTYPE SOURCE SUPER"
    mounted = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[4] === lxcfsDir && / - fuse\.lxcfs /.test(l))
  } catch {
    return 'stopped'
  }
  if (!mounted) return 'stopped'
  try {
    statSync(`${lxcfsDir}/proc/meminfo`)
    return 'running'
  } catch {
    return 'stale' // ENOTCONN: the FUSE server died and left its mount
  }
}

interface Supervisor {
  host: CommandRunner
  log: Logger
  logFile: string
  timer?: NodeJS.Timeout
  /** The start in progress, so concurrent container starts share it. */
  starting?: Promise<boolean>
  warnedMissing?: boolean
}

let supervisor: Supervisor | undefined

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Starts lxcfs detached (it outlives the daemon, as containers do), and waits until it serves. */
async function startLxcfs(s: Supervisor, state: LxcfsState): Promise<boolean> {
  // A dead server's mount answers ENOTCONN to every reader: lazily unmount it before a new one.
  if (state === 'stale') await s.host.run('umount', ['-l', lxcfsDir]).catch(() => undefined)
  let out: number | 'ignore' = 'ignore'
  try {
    out = openSync(s.logFile, 'a', 0o600)
  } catch {
    // No log directory: run without one.
  }
  try {
    // lxcfs locks /run/lxcfs.pid: of two daemons starting it at once, one serves, the other exits.
    const child = s.host.spawn(lxcfsBin, [lxcfsDir], { stdio: ['ignore', out, out], detached: true })
    child.on('error', () => undefined)
    child.unref()
  } finally {
    if (typeof out === 'number') closeSync(out)
  }
  for (let i = 0; i < 50; i++) {
    if (lxcfsState() === 'running') return true
    await sleep(100)
  }
  return false
}

/** Checks lxcfs and starts it again when it stopped serving. */
async function check(s: Supervisor): Promise<boolean> {
  const state = lxcfsState()
  if (state === 'running') return true
  if (state === 'missing') {
    if (!s.warnedMissing)
      s.log.warn(
        "lxcfs is not installed: containers see the host's memory, CPUs and uptime (install Debian's lxcfs)",
      )
    s.warnedMissing = true
    return false
  }
  s.starting ??= (async () => {
    try {
      const ok = await startLxcfs(s, state)
      if (ok) s.log.info('Started lxcfs', { dir: lxcfsDir })
      else s.log.warn('lxcfs did not start', { dir: lxcfsDir, log: s.logFile })
      return ok
    } finally {
      s.starting = undefined
    }
  })()
  return s.starting
}

/**
 * Makes sure lxcfs serves before a container starts (starting it when no one runs it), and
 * from then on checks it every few seconds. False when it cannot serve: the container then
 * starts without it.
 */
export function ensureLxcfs(host: CommandRunner, log: Logger, logFile: string): Promise<boolean> {
  supervisor ??= { host, log, logFile }
  Object.assign(supervisor, { host, log, logFile })
  const s = supervisor
  if (!s.timer) {
    s.timer = setInterval(() => {
      const state = lxcfsState()
      if (state === 'running' || state === 'missing') return
      s.log.warn('lxcfs stopped serving; starting it again (running containers need a restart to use it)')
      void check(s)
    }, watchMs)
    s.timer.unref()
  }
  return check(s)
}

/** One of lxcfs's files and where, relative to the container's root, it is bound. */
export interface LxcfsBind {
  source: string
  target: string
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort()
  } catch {
    return []
  }
}

/**
 * What lxcfs's mount hook binds, listed as it lists it: each file of /var/lib/lxcfs/proc over
 * the container's /proc, /sys/devices/system/cpu (whole when lxcfs serves it with its uevent,
 * else entry by entry), and /var/lib/lxcfs itself for a nested lxcfs. Nothing when lxcfs does
 * not serve. (The hook's cgroup part does nothing where LXC gives a cgroup namespace, as here.)
 */
export function lxcfsBinds(): LxcfsBind[] {
  if (lxcfsState() !== 'running') return []
  const binds = entries(`${lxcfsDir}/proc`).map((e) => ({
    source: `${lxcfsDir}/proc/${e}`,
    target: `proc/${e}`,
  }))
  const cpu = `${lxcfsDir}/sys/devices/system/cpu`
  if (existsSync(`${cpu}/uevent`)) binds.push({ source: cpu, target: 'sys/devices/system/cpu' })
  else
    for (const e of entries(cpu)) binds.push({ source: `${cpu}/${e}`, target: `sys/devices/system/cpu/${e}` })
  binds.push({ source: lxcfsDir, target: 'var/lib/lxcfs' })
  return binds
}
