/**
 * @module A running container's cgroup, written while it runs: the freezer (v1 `freezer.state`,
 * v2 `cgroup.freeze`) and the limits LXD changes live (memory, cpuset, pids). Every value is
 * checked here, at the sink, before it reaches a cgroup file.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** A container's cgroup: its version and the directory of each controller (one directory on v2). */
export interface CgroupTarget {
  version: 'v1' | 'v2'
  dir: (controller: string) => string
}

/** What the freezer says of a cgroup. */
export type FreezerState = 'frozen' | 'freezing' | 'thawed'

function read(path: string): string {
  return readFileSync(path, 'utf8').trim()
}

/** The freezer's state, or undefined when the cgroup (or its freezer) is not there. */
export function freezerState(t: CgroupTarget): FreezerState | undefined {
  try {
    if (t.version === 'v1') {
      const s = read(join(t.dir('freezer'), 'freezer.state'))
      return s === 'FROZEN' ? 'frozen' : s === 'FREEZING' ? 'freezing' : 'thawed'
    }
    const dir = t.dir('')
    // cgroup.events says whether every process has stopped; cgroup.freeze only what was asked.
    if (/^frozen 1$/m.test(read(join(dir, 'cgroup.events')))) return 'frozen'
    return read(join(dir, 'cgroup.freeze')) === '1' ? 'freezing' : 'thawed'
  } catch {
    return undefined
  }
}

async function waitFor(t: CgroupTarget, wanted: FreezerState, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (freezerState(t) === wanted) return true
    if (Date.now() >= deadline) return false
    await sleep(20)
  }
}

function writeFreezer(t: CgroupTarget, frozen: boolean): void {
  if (t.version === 'v1') writeFileSync(join(t.dir('freezer'), 'freezer.state'), frozen ? 'FROZEN' : 'THAWED')
  else writeFileSync(join(t.dir(''), 'cgroup.freeze'), frozen ? '1' : '0')
}

/**
 * Freezes every process of the cgroup and waits until the kernel says they all stopped; when
 * they do not within the timeout, the cgroup is thawed again and this throws (nothing is left
 * half frozen).
 */
export async function freezeCgroup(t: CgroupTarget, timeoutMs = 10_000): Promise<void> {
  writeFreezer(t, true)
  if (await waitFor(t, 'frozen', timeoutMs)) return
  writeFreezer(t, false)
  throw new Error('Failed to freeze the container: its processes did not stop in time')
}

/** Thaws the cgroup and waits until the kernel says its processes run again. */
export async function thawCgroup(t: CgroupTarget, timeoutMs = 10_000): Promise<void> {
  writeFreezer(t, false)
  if (!(await waitFor(t, 'thawed', timeoutMs))) throw new Error('Failed to thaw the container')
}

/** The limits LXD applies to a running container; `null` lifts a limit, undefined leaves it alone. */
export interface LiveLimits {
  /** Bytes. */
  memory?: number | null
  /** A cpuset list such as `0-1` or `0,2`. */
  cpus?: string | null
  processes?: number | null
}

/** One cgroup file write: where and what. */
export interface CgroupWrite {
  file: string
  value: string
}

function checkCount(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`Refusing ${what} ${String(n)}: not a count`)
}

/**
 * The file writes that set `limits`, checked at this sink: counts are whole numbers, a cpuset
 * is digits, commas and dashes. A lifted cpuset becomes the parent's (v1 has no "all").
 */
export function limitWrites(t: CgroupTarget, limits: LiveLimits): CgroupWrite[] {
  const v1 = t.version === 'v1'
  const out: CgroupWrite[] = []
  if (limits.memory !== undefined) {
    if (limits.memory !== null) checkCount('memory limit', limits.memory)
    out.push({
      file: join(t.dir('memory'), v1 ? 'memory.limit_in_bytes' : 'memory.max'),
      value: limits.memory === null ? (v1 ? '-1' : 'max') : String(limits.memory),
    })
  }
  if (limits.cpus !== undefined) {
    const dir = t.dir('cpuset')
    let cpus = limits.cpus
    if (cpus === null) cpus = v1 ? read(join(dirname(dir), 'cpuset.cpus')) : ''
    if (!/^[0-9,-]*$/.test(cpus) || (v1 && cpus === ''))
      throw new Error(`Refusing cpuset ${JSON.stringify(cpus)}`)
    out.push({ file: join(dir, 'cpuset.cpus'), value: cpus })
  }
  if (limits.processes !== undefined) {
    if (limits.processes !== null) checkCount('process limit', limits.processes)
    out.push({
      file: join(t.dir('pids'), 'pids.max'),
      value: limits.processes === null ? 'max' : String(limits.processes),
    })
  }
  return out
}

/**
 * Writes the limits; when one write fails, those made before it are set back to what they were
 * and the error says which limit the kernel refused (a memory limit below what is in use, say).
 */
export function applyLimits(t: CgroupTarget, limits: LiveLimits): void {
  const writes = limitWrites(t, limits)
  const done: CgroupWrite[] = []
  for (const w of writes) {
    let before: string
    try {
      before = read(w.file)
      writeFileSync(w.file, w.value)
    } catch (err) {
      for (const d of done.reverse()) {
        try {
          writeFileSync(d.file, d.value)
        } catch {
          // Best effort: the old value could not be set back either.
        }
      }
      throw new Error(`Failed to set ${w.file.split('/').pop()} to ${w.value}: ${(err as Error).message}`, {
        cause: err,
      })
    }
    done.push({ file: w.file, value: before })
  }
}
