/** @module Runs a command in a running container through the corral-forkexec helper (docs/exec.md). */
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { constants } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Readable, Writable } from 'node:stream'
import type { InstanceRecord } from '../../db/instances.js'
import type { State } from '../../state.js'
import { primeCgroupMigration } from '../../host/cgroup-prime.js'
import { lxcName, lxcPath } from './paths.js'

/** The exec helper binary, built by native/build.sh. */
export const forkexecPath = fileURLToPath(
  new URL('../../../../native/build/corral-forkexec', import.meta.url),
)

/** Where an instance's logs live (recorded exec output), as LXD's /var/log/lxd/NAME. */
export function instanceLogDir(state: State, project: string, name: string): string {
  return join(state.paths.logs, lxcName(project, name))
}

/** What to run and how (the API's exec body, parsed). */
export interface ExecSpec {
  command: string[]
  /** The full environment the command gets (see execEnvironment). */
  environment: Record<string, string>
  cwd: string
  uid: number
  gid: number
  /** One pty for stdin and stdout (and stderr) instead of three pipes. */
  interactive: boolean
  width: number
  height: number
}

/** A started command. In interactive mode `output` carries the pty and `errors` is null. */
export interface ExecProcess {
  input: Writable
  output: Readable
  errors: Readable | null
  /** The command's host pid; rejects with the helper's reason when it could not attach. */
  pid: Promise<number>
  /** Resolves with the exit code (128+N when signal N killed it) once the helper is gone. */
  exited: Promise<number>
  resize(width: number, height: number): void
  /** Sends signal N to the command (not to the helper). */
  signal(signal: number): void
}

/** The default PATH LXD gives exec'd commands. */
export const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** The command's environment: LXD's defaults, then `environment.*` config, then the request's. */
export function execEnvironment(
  config: Record<string, string>,
  requested: Record<string, string>,
  opts: { uid: number; interactive: boolean },
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(config)) if (k.startsWith('environment.')) env[k.slice(12)] = v
  Object.assign(env, requested)
  env.PATH ||= defaultPath
  env.LANG ||= 'C.UTF-8'
  if (opts.uid === 0) {
    env.HOME ||= '/root'
    env.USER ||= 'root'
  }
  if (opts.interactive) env.TERM ||= 'xterm'
  return env
}

/** The helper's arguments for a spec (exported for tests). */
export function forkexecArgs(
  state: State,
  inst: Pick<InstanceRecord, 'project' | 'name'>,
  spec: ExecSpec,
): string[] {
  const args = ['--lxcpath', lxcPath(state.paths.dir), '--name', lxcName(inst.project, inst.name)]
  args.push('--cwd', spec.cwd, '--uid', String(spec.uid), '--gid', String(spec.gid))
  for (const [k, v] of Object.entries(spec.environment)) args.push('--env', `${k}=${v}`)
  if (spec.interactive) args.push('--pty', String(spec.width || 80), String(spec.height || 24))
  return [...args, '--', ...spec.command]
}

function readPid(child: ChildProcess): Promise<number> {
  const status = child.stdio[3] as Readable
  return new Promise((resolve, reject) => {
    let text = ''
    status.on('data', (c: Buffer) => (text += c.toString('utf8')))
    status.on('error', () => undefined)
    status.on('close', () => {
      const line = text.split('\n')[0] ?? ''
      if (line.startsWith('pid ')) resolve(Number(line.slice(4)))
      else reject(new Error(line.startsWith('error ') ? line.slice(6) : 'Failed to start the command'))
    })
  })
}

/** A command whose helper is started and waits for {@link DeferredExec.go} before it attaches. */
export interface DeferredExec extends ExecProcess {
  /** Lets the helper attach and run the command. */
  go(): void
  /** The command must not run: the helper exits (255) without attaching. */
  cancel(): void
}

/**
 * Starts the helper now (process start-up, liblxc, the container's config) and the command only
 * at go(): the daemon overlaps that start-up with the client's websocket set-up, and the command
 * still runs only once every websocket is there, as LXD does.
 */
export function startDeferredExec(
  state: State,
  inst: Pick<InstanceRecord, 'project' | 'name'>,
  spec: ExecSpec,
): DeferredExec {
  const proc = spawnExec(state, inst, spec, true)
  const gate = (proc.child.stdio as unknown as Writable[])[5]!
  gate.on('error', () => undefined)
  return {
    ...proc.exec,
    go: () => void gate.end('g'),
    cancel: () => void gate.destroy(),
  }
}

/** Starts a command in the container; the caller wires the streams and awaits `exited`. */
export function startExec(
  state: State,
  inst: Pick<InstanceRecord, 'project' | 'name'>,
  spec: ExecSpec,
): ExecProcess {
  return spawnExec(state, inst, spec, false).exec
}

function spawnExec(
  state: State,
  inst: Pick<InstanceRecord, 'project' | 'name'>,
  spec: ExecSpec,
  deferred: boolean,
): { exec: ExecProcess; child: ChildProcess } {
  if (!existsSync(forkexecPath))
    throw new Error(`Missing ${forkexecPath} (run packages/daemon/native/build.sh)`)
  const args = forkexecArgs(state, inst, spec)
  // The helper's attach moves the command into the container's cgroups.
  primeCgroupMigration()
  const child = state.host.spawn(forkexecPath, deferred ? ['--go-fd', '5', ...args] : args, {
    stdio: [
      'pipe',
      'pipe',
      spec.interactive ? 'ignore' : 'pipe',
      'pipe',
      spec.interactive ? 'pipe' : 'ignore',
      ...(deferred ? (['pipe'] as const) : []),
    ],
  })
  const pid = readPid(child)
  pid.catch(() => undefined)
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(255))
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)))
  })
  const control = child.stdio[4] as Writable | null
  control?.on('error', () => undefined)
  child.stdin!.on('error', () => undefined)
  let done = false
  void exited.then(() => (done = true))
  const exec: ExecProcess = {
    input: child.stdin!,
    output: child.stdout!,
    errors: spec.interactive ? null : child.stderr,
    pid,
    exited,
    resize(width, height) {
      if (control && !control.destroyed && width > 0 && height > 0) control.write(`${width} ${height}\n`)
    },
    signal(signal) {
      pid
        .then((p) => {
          if (!done) process.kill(p, signal)
        })
        .catch(() => undefined) // not started or already gone
    },
  }
  return { exec, child }
}
