/** @module An exec session: joins the operation's websockets, mirrors stdio, and yields the exit code. */
import type { Operation } from '@corral/api'
import { waitOperation } from './operation-wait.js'
import type { Requester } from './requester.js'
import type { BinarySocket } from './transport.js'

/** Where the command's streams go, and where its input comes from. */
export interface ExecIo {
  /** Input to forward; absent means none (EOF at once). */
  stdin?: NodeJS.ReadableStream
  /** Receives output (stdout, or the pty in interactive mode). */
  stdout(data: Buffer): void
  /** Receives stderr (non-interactive mode only). */
  stderr(data: Buffer): void
}

/** A running exec: control messages in, exit code out. */
export interface ExecSession {
  /** Sends a control message (`window-resize`, `signal`). */
  control(message: Record<string, unknown>): Promise<void>
  /** Resolves with the command's exit code once output has drained. */
  done: Promise<number>
}

/** The fd secrets of an exec operation (`0`, `1`, `2`, `control`). */
export function execFds(op: Operation): Record<string, string> {
  const fds = (op.metadata as { fds?: Record<string, string> } | null)?.fds
  if (!fds) throw new Error('The exec operation has no websockets')
  return fds
}

/** Joins an exec operation's websockets and mirrors stdio through `io`. */
export async function attachExec(r: Requester, op: Operation, io: ExecIo): Promise<ExecSession> {
  const fds = execFds(op)
  const open = (fd: string): Promise<BinarySocket> =>
    r.transport.binarySocket(
      `/1.0/operations/${encodeURIComponent(op.id)}/websocket?secret=${encodeURIComponent(fds[fd]!)}`,
    )
  const control = await open('control')
  const names = Object.keys(fds).filter((k) => k !== 'control')
  const sockets = new Map<string, BinarySocket>()
  for (const fd of names) sockets.set(fd, await open(fd))
  const interactive = !sockets.has('1')
  const drained: Promise<void>[] = []
  const sink = (fd: string, write: (d: Buffer) => void): void => {
    const s = sockets.get(fd)!
    s.onMessage((data, isBinary) => (isBinary && data.length > 0 ? write(data) : undefined))
    drained.push(s.closed)
  }
  sink('0', interactive ? (d) => io.stdout(d) : () => undefined)
  if (!interactive) {
    sink('1', (d) => io.stdout(d))
    sink('2', (d) => io.stderr(d))
  }
  const input = sockets.get('0')!
  if (io.stdin) {
    io.stdin.on('data', (chunk: Buffer | string) => void input.send(Buffer.from(chunk)))
    io.stdin.once('end', () => void input.send('', false))
  } else void input.send('', false)
  const done = (async () => {
    const finished = await waitOperation(r, op.id)
    let timer: NodeJS.Timeout | undefined
    const grace = new Promise((res) => (timer = setTimeout(res, 2000)))
    await Promise.race([Promise.all(drained), grace])
    clearTimeout(timer)
    control.close()
    for (const s of sockets.values()) s.close()
    const ret = (finished.metadata as { return?: unknown } | null)?.return
    return typeof ret === 'number' ? ret : 0
  })()
  return {
    control: (message) => control.send(JSON.stringify(message), false),
    done,
  }
}
