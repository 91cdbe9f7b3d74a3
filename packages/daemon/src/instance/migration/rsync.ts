/**
 * @module rsync over a migration fs websocket, as LXD runs it: the receiver is `rsync --server`
 * on the socket, the sender a normal rsync client whose remote shell is our relay to the socket.
 */
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import { isAbsolute } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Readable, Writable } from 'node:stream'
import type { ChildProcess } from 'node:child_process'
import type { CommandRunner } from '../../host/runner.js'
import type { MigrationSocket } from './socket.js'

/** How long the sending rsync has to start its remote shell. */
const spawnTimeoutMs = 30_000
/** The stderr kept for an error message. */
const maxStderr = 16 * 1024
/** rsync's I/O timeout on the receiving side, in seconds. */
const ioTimeoutSeconds = 600
/** rsync's exit status when source files vanished during the transfer. */
export const vanishedStatus = 24

/** The rsync arguments a negotiated feature adds, on both ends. */
export function featureArgs(features: readonly string[]): string[] {
  const out: string[] = []
  if (features.includes('xattrs')) out.push('--xattrs', '--filter=-x security.selinux')
  if (features.includes('delete')) out.push('--delete')
  if (features.includes('compress')) out.push('--compress', '--compress-level=2')
  return out
}

/**
 * The receiving server's arguments. `--ignore-times` is the generator's option (the receiving
 * side decides which files to update), so every file is compared by content with the sender's
 * whatever its size and mtime: a change made within the same second as the data already here,
 * with the same size, still arrives. It needs nothing from the sender, so any LXD sender works.
 */
export function receiveArgs(dir: string, features: readonly string[]): string[] {
  return [
    '--server',
    '-vlogDtpre.iLsfx',
    '--numeric-ids',
    '--devices',
    '--partial',
    '--sparse',
    '--ignore-times',
    // A sender that stops sending for this long fails the transfer instead of holding it open.
    `--timeout=${ioTimeoutSeconds}`,
    ...featureArgs(features),
    '.',
    `${dir}/`,
  ]
}

/** Quotes one word for rsync's `-e` parser. */
const quote = (word: string): string => {
  if (/['\n]/.test(word)) throw new Error(`Cannot pass "${word}" to rsync's remote shell`)
  return `'${word}'`
}

/** The sending client's arguments; its remote shell is the relay to `socketName`. */
export function sendArgs(dir: string, features: readonly string[], relay: string[]): string[] {
  return [
    '-ar',
    '--devices',
    '--numeric-ids',
    '--partial',
    '--sparse',
    ...featureArgs(features),
    '-e',
    relay.map(quote).join(' '),
    `${dir}/`,
    // The path is the relay's business: the server on the other end was started with its own.
    'localhost:/unused',
  ]
}

function checkDir(dir: string): void {
  if (!isAbsolute(dir) || dir.includes('\0')) throw new Error(`Invalid migration directory "${dir}"`)
}

/** Collects a bounded tail of a stream. */
function collect(stream: Readable | null): () => string {
  let text = ''
  stream?.on('data', (c: Buffer) => {
    text = (text + c.toString('utf8')).slice(-maxStderr)
  })
  return () => text.trim()
}

/** Copies a readable into the socket as binary messages (a few in flight), then sends the barrier. */
function pump(from: Readable, to: MigrationSocket, count?: (bytes: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = 0
    let ended = false
    const finish = () => {
      if (ended && pending === 0) to.barrier().then(resolve, reject)
    }
    from.on('data', (chunk: Buffer) => {
      count?.(chunk.length)
      if (++pending >= 8) from.pause()
      to.send(chunk).then(
        () => {
          pending--
          if (pending < 8 && from.isPaused()) from.resume()
          finish()
        },
        (err: unknown) => {
          from.destroy()
          reject(err instanceof Error ? err : new Error(String(err)))
        },
      )
    })
    from.once('end', () => {
      ended = true
      finish()
    })
    from.once('error', reject)
  })
}

/** Feeds one incoming stream into a writable (dropping what arrives once it is gone), then ends it. */
async function drain(from: MigrationSocket, to: Writable, count?: (bytes: number) => void): Promise<void> {
  to.on('error', () => undefined)
  await from.readStream(async (chunk) => {
    count?.(chunk.length)
    if (to.destroyed || to.writableEnded) return
    if (!to.write(chunk)) await Promise.race([once(to, 'drain'), once(to, 'close')])
  })
  to.end()
}

async function exitOf(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return child.exitCode
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null]
  return code ?? (signal ? 128 : 1)
}

function failure(what: string, dir: string, code: number, stderr: string): Error {
  return new Error(`Rsync ${what} failed: ${dir}: exit status ${code}${stderr ? ` (${stderr})` : ''}`)
}

/** Receives one rsync stream from the socket into `dir`. */
export async function rsyncReceive(
  host: CommandRunner,
  dir: string,
  sock: MigrationSocket,
  features: readonly string[],
  count?: (bytes: number) => void,
): Promise<void> {
  checkDir(dir)
  const child = host.spawn('rsync', receiveArgs(dir, features), { stdio: ['pipe', 'pipe', 'pipe'] })
  const stderr = collect(child.stderr)
  const exited = exitOf(child)
  let code: number
  try {
    ;[, , code] = await Promise.all([drain(sock, child.stdin!, count), pump(child.stdout!, sock), exited])
  } catch (err) {
    // The socket failed under a running rsync: stop it before the caller removes its directory.
    child.kill('SIGKILL')
    await exited
    throw err
  }
  if (code !== 0) throw failure('receive', dir, code, stderr())
}

/** The relay program, next to this module once built. */
const relayScript = fileURLToPath(new URL('./rsync-relay.js', import.meta.url))

/** Sends `dir` as one rsync stream over the socket; exit status 24 (files vanished) passes when `vanishedOk`. */
export async function rsyncSend(
  host: CommandRunner,
  dir: string,
  sock: MigrationSocket,
  features: readonly string[],
  opts: { vanishedOk?: boolean; count?: (bytes: number) => void } = {},
): Promise<void> {
  checkDir(dir)
  const name = `corral-rsync-${randomBytes(16).toString('hex')}`
  const server = createServer({ allowHalfOpen: true })
  server.listen(`\0${name}`)
  await once(server, 'listening')
  let child: ChildProcess | undefined
  let conn: Socket | undefined
  try {
    const accepted = once(server, 'connection') as Promise<[Socket]>
    child = host.spawn('rsync', sendArgs(dir, features, [process.execPath, relayScript, name]), {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    const stderr = collect(child.stderr)
    const exited = exitOf(child)
    let timer: NodeJS.Timeout | undefined
    conn = await Promise.race([
      accepted.then(([c]) => c),
      exited.then((code) => {
        throw failure('send', dir, code, stderr())
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('rsync failed to start its transfer')), spawnTimeoutMs)
      }),
    ]).finally(() => clearTimeout(timer))
    server.close()
    const [, , code] = await Promise.all([pump(conn, sock, opts.count), drain(sock, conn), exited])
    if (code !== 0 && !(opts.vanishedOk && code === vanishedStatus))
      throw failure('send', dir, code, stderr())
  } catch (err) {
    // The relay waits for its socket to end: close it, or it outlives the killed rsync.
    conn?.destroy()
    child?.kill('SIGKILL')
    throw err
  } finally {
    server.close()
  }
}
