/** @module Instance files through the corral-forkfile helper, resolved inside the container's root (docs/exec.md). */
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { PassThrough, type Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { ApiError, badRequest, conflict, forbidden, notFound } from '@corral/api'
import type { InstanceRecord } from '../../db/instances.js'
import type { State } from '../../state.js'
import { isAlive, runtimeState } from './runtime.js'

/** The file helper binary, built by native/build.sh. */
export const forkfilePath = fileURLToPath(
  new URL('../../../../native/build/corral-forkfile', import.meta.url),
)

/** Where file operations happen: a running container's namespaces, or a stopped one's rootfs. */
export type FileTarget = { pid: number } | { root: string }

/** The kinds of paths the files API knows. */
export type FileType = 'file' | 'directory' | 'symlink'

/** A path's type, permission bits and (container) owner. */
export interface FileInfo {
  type: FileType
  mode: number
  uid: number
  gid: number
}

/** A pulled path: a file's content stream, a directory's entries or a symlink's target. */
export type PulledFile =
  | (FileInfo & { type: 'file'; content: Readable })
  | (FileInfo & { type: 'directory'; entries: string[] })
  | (FileInfo & { type: 'symlink'; target: string })

/** How long the file helper may keep us waiting (for its header, its next bytes or its exit) before it is killed. */
export const helperTimeoutMs = 30_000

/** How many timeouts a reader may take no bytes of a pulled file before the helper is killed. */
const stalledReaderFactor = 10

/** Options every file operation takes. */
export interface FileOptions {
  /** Kills the helper once it kept us waiting this long (default helperTimeoutMs). */
  timeoutMs?: number
}

/** How to write a path (LXD's X-LXD-* headers); undefined mode/uid/gid keep or default. */
export interface PushOptions extends FileOptions {
  type: FileType
  mode?: number
  uid?: number
  gid?: number
  append: boolean
}

/** Resolves where an instance's files are: its init's namespaces when running, else its rootfs. */
export async function fileTarget(
  state: State,
  inst: Pick<InstanceRecord, 'project' | 'name'>,
  stoppedRootfs?: () => Promise<string> | string,
): Promise<FileTarget> {
  const run = await runtimeState(state, inst)
  if (isAlive(run) && run.pid > 0) return { pid: run.pid }
  if (!stoppedRootfs) throw badRequest('Instance is not running')
  return { root: await stoppedRootfs() }
}

function targetArgs(target: FileTarget): string[] {
  return 'pid' in target ? ['--pid', String(target.pid)] : ['--root', target.root]
}

/** Maps the helper's "ERRNO message" to LXD's status. */
function helperError(stderr: string): ApiError {
  const [code = '', ...rest] = stderr.trim().split(' ')
  const message = rest.join(' ') || 'File operation failed'
  if (code === 'ENOENT' || code === 'ENOTDIR') return notFound('Not Found')
  if (code === 'EACCES' || code === 'EPERM') return forbidden(message)
  if (code === 'EEXIST' || code === 'ENOTEMPTY') return conflict(message)
  if (code === 'EISDIR' || code === 'EINVAL') return badRequest(message)
  return new ApiError(500, message)
}

/** Counts down only while we wait on the helper; when it runs out, the helper is killed. */
interface Watchdog {
  /** (Re)starts the countdown, of `ms` or the operation's timeout: we now wait on the helper. */
  arm(ms?: number): void
  /** Stops the countdown: the helper is not what we wait on (the uploader is). */
  disarm(): void
  /** The countdown that ran out and killed the helper, if one did. */
  fired(): number | undefined
}

function watchdog(child: ChildProcess, opts: FileOptions): Watchdog {
  let timer: NodeJS.Timeout | undefined
  let fired: number | undefined
  const disarm = (): void => {
    if (timer) clearTimeout(timer)
    timer = undefined
  }
  child.once('close', disarm)
  return {
    arm(ms = opts.timeoutMs ?? helperTimeoutMs) {
      disarm()
      if (child.exitCode !== null || child.signalCode !== null) return
      timer = setTimeout(() => {
        fired = ms
        child.kill('SIGKILL')
      }, ms)
    },
    disarm,
    fired: () => fired,
  }
}

/** The error a finished helper reported, or undefined when it succeeded. */
async function outcome(
  exit: Promise<number>,
  stderr: Promise<Buffer>,
  dog: Watchdog,
): Promise<ApiError | undefined> {
  const code = await exit
  const fired = dog.fired()
  if (fired !== undefined) return new ApiError(500, `File operation timed out after ${fired / 1000}s`)
  return code === 0 ? undefined : helperError((await stderr).toString('utf8'))
}

function spawnHelper(state: State, args: string[]): ChildProcess {
  if (!existsSync(forkfilePath))
    throw new Error(`Missing ${forkfilePath} (run packages/daemon/native/build.sh)`)
  return state.host.spawn(forkfilePath, args, { stdio: ['pipe', 'pipe', 'pipe'] })
}

function collect(stream: Readable | null): Promise<Buffer> {
  const chunks: Buffer[] = []
  stream?.on('data', (c: Buffer) => chunks.push(c))
  return new Promise((resolve) =>
    stream ? stream.once('close', () => resolve(Buffer.concat(chunks))) : resolve(Buffer.alloc(0)),
  )
}

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('error', () => resolve(255))
    child.once('close', (code) => resolve(code ?? 255))
  })
}

/** Reads the header line the helper prints before the content. */
function readHeader(stream: Readable): Promise<{ header: string; rest: Buffer } | undefined> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0)
    const onData = (c: Buffer): void => {
      buf = Buffer.concat([buf, c])
      const nl = buf.indexOf(10)
      if (nl < 0) return
      stream.off('data', onData)
      stream.off('close', onClose)
      stream.pause()
      resolve({ header: buf.subarray(0, nl).toString('utf8'), rest: buf.subarray(nl + 1) })
    }
    const onClose = (): void => resolve(undefined)
    stream.on('data', onData)
    stream.once('close', onClose)
  })
}

/**
 * A file's content: what the helper writes after its header, ended only when the helper exits 0
 * and destroyed with its error otherwise (a truncated file is never served as whole).
 */
function contentOf(
  child: ChildProcess,
  first: Buffer,
  done: Promise<ApiError | undefined>,
  opts: { dog: Watchdog; timeoutMs: number },
): Readable {
  const { dog } = opts
  const out = new PassThrough()
  const src = child.stdout!
  // Whoever reads attaches its own handler; this one keeps an unread failure from crashing the daemon.
  out.on('error', () => undefined)
  if (first.length > 0) out.write(first)
  src.on('data', (c: Buffer) => {
    dog.arm()
    if (!out.write(c)) {
      src.pause()
      // A reader that stopped taking bytes (or went away without closing us) gets a longer grace.
      dog.arm(opts.timeoutMs * stalledReaderFactor)
    }
  })
  out.on('drain', () => {
    dog.arm()
    src.resume()
  })
  // A reader that went away must not leave the helper blocked on a full pipe.
  out.once('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  void done.then((err) => (err ? out.destroy(err) : out.end()))
  dog.arm()
  src.resume()
  return out
}

/** Reads a path; a file's content streams from the helper after its header. */
export async function pullFile(
  state: State,
  target: FileTarget,
  path: string,
  opts: FileOptions = {},
): Promise<PulledFile> {
  const child = spawnHelper(state, [...targetArgs(target), 'pull', path])
  const dog = watchdog(child, opts)
  dog.arm()
  child.stdin!.end()
  const done = outcome(exitOf(child), collect(child.stderr), dog)
  const head = await readHeader(child.stdout!)
  if (!head) throw (await done) ?? new ApiError(500, 'File helper printed no header')
  const [type, mode, uid, gid] = head.header.split(' ')
  const info = { mode: parseInt(mode ?? '0', 8), uid: Number(uid), gid: Number(gid) }
  if (type === 'file') {
    const content = contentOf(child, head.rest, done, { dog, timeoutMs: opts.timeoutMs ?? helperTimeoutMs })
    return { ...info, type, content }
  }
  child.stdout!.on('data', () => dog.arm())
  child.stdout!.resume()
  const rest = Buffer.concat([head.rest, await collect(child.stdout)])
  const err = await done
  if (err) throw err
  if (type === 'directory') {
    const entries = rest
      .toString('utf8')
      .split('\0')
      .filter((e) => e !== '')
    return { ...info, type, entries: entries.sort() }
  }
  return { ...info, type: 'symlink', target: rest.toString('utf8') }
}

/** Writes a file (content from `body`), creates a directory, or creates a symlink (target in `body`). */
export async function pushFile(
  state: State,
  target: FileTarget,
  path: string,
  opts: PushOptions,
  body: Readable,
): Promise<void> {
  const num = (n: number | undefined, base = 10): string => (n === undefined ? '-1' : n.toString(base))
  const child = spawnHelper(state, [
    ...targetArgs(target),
    'push',
    path,
    opts.type,
    num(opts.mode, 8),
    num(opts.uid),
    num(opts.gid),
    opts.append ? 'append' : 'overwrite',
  ])
  const dog = watchdog(child, opts)
  const done = outcome(exitOf(child), collect(child.stderr), dog)
  child.stdout!.resume()
  const stdin = child.stdin!
  stdin.on('error', () => undefined)
  // The countdown runs while the helper holds us up: a full pipe, or the body sent and no exit yet.
  if (opts.type === 'directory') {
    body.resume()
    stdin.end()
    dog.arm()
  } else {
    let sent = false
    body.on('data', (c: Buffer) => {
      if (!stdin.write(c)) {
        body.pause()
        dog.arm()
      }
    })
    stdin.on('drain', () => {
      if (!sent) dog.disarm()
      body.resume()
    })
    body.once('end', () => {
      sent = true
      stdin.end()
      dog.arm()
    })
    // An upload that broke off never ends the helper's stdin: stop the helper instead of waiting.
    body.once('close', () => {
      if (!sent && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    })
  }
  const err = await done
  if (err) throw err
}

/** Deletes a file, symlink or empty directory. */
export async function deleteFile(
  state: State,
  target: FileTarget,
  path: string,
  opts: FileOptions = {},
): Promise<void> {
  const child = spawnHelper(state, [...targetArgs(target), 'delete', path])
  const dog = watchdog(child, opts)
  dog.arm()
  child.stdin!.end()
  child.stdout!.resume()
  const err = await outcome(exitOf(child), collect(child.stderr), dog)
  if (err) throw err
}
