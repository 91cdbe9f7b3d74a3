/** @module A running container's console (its /dev/console pty) and console log, through corral-forkconsole. */
import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, statSync, truncateSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { InstanceRecord } from '../../db/instances.js'
import type { State } from '../../state.js'
import { lxcFiles, lxcName, lxcPath } from './paths.js'

/** The console helper binary, built by native/build.sh. */
export const forkconsolePath = fileURLToPath(
  new URL('../../../../native/build/corral-forkconsole', import.meta.url),
)

type Owner = Pick<InstanceRecord, 'project' | 'name'>

function helper(): string {
  if (!existsSync(forkconsolePath))
    throw new Error(`Missing ${forkconsolePath} (run packages/daemon/native/build.sh)`)
  return forkconsolePath
}

/** Attaches to the console: its output on the child's stdout, input to its stdin; end it with SIGTERM. */
export function attachConsole(state: State, inst: Owner): ChildProcess {
  return state.host.spawn(helper(), [lxcPath(state.paths.dir), lxcName(inst.project, inst.name), 'attach'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

/** Runs the helper's log mode; resolves with its output, empty when the ring buffer holds nothing (exit 2). */
function runLog(state: State, inst: Owner, clear: boolean): Promise<Buffer> {
  const args = [
    lxcPath(state.paths.dir),
    lxcName(inst.project, inst.name),
    'log',
    ...(clear ? ['clear'] : []),
  ]
  const child = state.host.spawn(helper(), args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout?.on('data', (c: Buffer) => out.push(c))
  child.stderr?.on('data', (c: Buffer) => err.push(c))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out))
      else if (code === 2) resolve(Buffer.alloc(0))
      else reject(new Error(Buffer.concat(err).toString('utf8').trim() || 'Failed to read the console log'))
    })
  })
}

/** What the console showed: the ring buffer of a running container, the console log file of a stopped one. */
export async function consoleLog(state: State, inst: Owner, running: boolean): Promise<Buffer> {
  const file = lxcFiles(state.paths.dir, inst.project, inst.name).console
  if (!running) return existsSync(file) && statSync(file).isFile() ? readFileSync(file) : Buffer.alloc(0)
  return runLog(state, inst, false)
}

/** Empties the console log: the ring buffer of a running container, the log file of a stopped one (as LXD). */
export async function clearConsoleLog(state: State, inst: Owner, running: boolean): Promise<void> {
  const file = lxcFiles(state.paths.dir, inst.project, inst.name).console
  if (!running) {
    if (!existsSync(file)) return
    if (!statSync(file).isFile()) throw new Error('The console log is not a regular file')
    return truncateSync(file, 0)
  }
  await runLog(state, inst, true)
}
