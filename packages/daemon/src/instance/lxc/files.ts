/** @module Instance files through the corral-forkfile helper, resolved inside the container's root (docs/exec.md). */
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { ApiError, badRequest, conflict, forbidden, notFound } from '@corral/api'
import type { InstanceRecord } from '../../db/instances.js'
import type { State } from '../../state.js'
import { runtimeState } from './runtime.js'

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

/** How to write a path (LXD's X-LXD-* headers); undefined mode/uid/gid keep or default. */
export interface PushOptions {
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
  if (run.status === 'Running' && run.pid > 0) return { pid: run.pid }
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

function spawnHelper(state: State, args: string[]): ChildProcess {
  if (!state.host.spawn) throw new Error('This host runner cannot spawn processes')
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

/** Reads a path; a file's content streams from the helper after its header. */
export async function pullFile(state: State, target: FileTarget, path: string): Promise<PulledFile> {
  const child = spawnHelper(state, [...targetArgs(target), 'pull', path])
  child.stdin!.end()
  const stderr = collect(child.stderr)
  const exit = exitOf(child)
  const head = await readHeader(child.stdout!)
  if (!head) {
    await exit
    throw helperError((await stderr).toString('utf8'))
  }
  const [type, mode, uid, gid] = head.header.split(' ')
  const info = { mode: parseInt(mode ?? '0', 8), uid: Number(uid), gid: Number(gid) }
  if (type === 'file') {
    const content = child.stdout!
    content.unshift(head.rest)
    return { ...info, type, content }
  }
  child.stdout!.resume()
  const rest = Buffer.concat([head.rest, await collect(child.stdout)])
  if ((await exit) !== 0) throw helperError((await stderr).toString('utf8'))
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
  const stderr = collect(child.stderr)
  child.stdout!.resume()
  child.stdin!.on('error', () => undefined)
  if (opts.type === 'directory') {
    body.resume()
    child.stdin!.end()
  } else body.pipe(child.stdin!)
  if ((await exitOf(child)) !== 0) throw helperError((await stderr).toString('utf8'))
}

/** Deletes a file, symlink or empty directory. */
export async function deleteFile(state: State, target: FileTarget, path: string): Promise<void> {
  const child = spawnHelper(state, [...targetArgs(target), 'delete', path])
  child.stdin!.end()
  child.stdout!.resume()
  const stderr = collect(child.stderr)
  if ((await exitOf(child)) !== 0) throw helperError((await stderr).toString('utf8'))
}
