/** @module POST /1.0/instances/{name}/exec: a command in a running instance, over websockets or recorded. */
import { randomBytes } from 'node:crypto'
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import type { RawData, WebSocket } from 'ws'
import { badRequest } from '@corral/api'
import { getInstance, type InstanceRecord } from '../db/instances.js'
import {
  execEnvironment,
  instanceLogDir,
  startDeferredExec,
  startExec,
  type ExecProcess,
  type ExecSpec,
  runtimeState,
} from '../instance/container.js'
import { expandedOf } from '../instance/service.js'
import type { LiveOperation } from '../operation/operation.js'
import { asObject, stringField, stringMapField } from './body.js'
import { can } from './access.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { capped } from '../util/capped.js'
import { async } from './response.js'
import { awaitWebsockets } from './websocket-wait.js'

/** How much of each recorded stream (stdout, stderr) of an exec is kept (LXD 5.0.2 keeps all of it). */
const maxRecordedOutput = 64 * 1024 * 1024

/** The exec request body, parsed (LXD's InstanceExecPost). */
interface ExecPost {
  command: string[]
  environment: Record<string, string>
  waitForWebsocket: boolean
  interactive: boolean
  recordOutput: boolean
  width: number
  height: number
  cwd: string
  user: number
  group: number
}

function boolField(body: Record<string, unknown>, field: string): boolean {
  const v = body[field]
  if (v === undefined || v === null) return false
  if (typeof v !== 'boolean') throw badRequest(`Invalid value for field "${field}": must be a boolean`)
  return v
}

function uintField(body: Record<string, unknown>, field: string): number {
  const v = body[field]
  if (v === undefined || v === null) return 0
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw badRequest(`Invalid value for field "${field}": must be a non-negative integer`)
  return v
}

function parseExecPost(raw: unknown): ExecPost {
  const body = asObject(raw)
  const command = body.command
  if (!Array.isArray(command) || command.some((c) => typeof c !== 'string'))
    throw badRequest('Invalid value for field "command": must be a list of strings')
  if (command.length === 0) throw badRequest('Missing command')
  return {
    command: command as string[],
    environment: stringMapField(body, 'environment'),
    waitForWebsocket: boolField(body, 'wait-for-websocket'),
    interactive: boolField(body, 'interactive'),
    recordOutput: boolField(body, 'record-output'),
    width: uintField(body, 'width'),
    height: uintField(body, 'height'),
    cwd: stringField(body, 'cwd'),
    user: uintField(body, 'user'),
    group: uintField(body, 'group'),
  }
}

/** Sends a stream as binary frames, then LXD's barrier (empty text frame) and a close. */
function streamToSocket(stream: Readable, ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    let pending = 0
    stream.on('data', (chunk: Buffer) => {
      if (ws.readyState !== ws.OPEN) return
      if (++pending > 16) stream.pause()
      ws.send(chunk, { binary: true }, () => {
        if (--pending <= 16 && stream.isPaused()) stream.resume()
      })
    })
    stream.once('close', () => {
      if (ws.readyState !== ws.OPEN) return resolve()
      ws.send('', { binary: false }, () => {
        ws.close(1000)
        resolve()
      })
    })
  })
}

function onControl(proc: () => ExecProcess | undefined, data: RawData): void {
  let msg: { command?: unknown; signal?: unknown; args?: Record<string, unknown> }
  try {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
    msg = JSON.parse(buf.toString('utf8')) as typeof msg
  } catch {
    return
  }
  if (msg.command === 'window-resize') proc()?.resize(Number(msg.args?.width), Number(msg.args?.height))
  if (msg.command === 'signal') {
    const n = Number(msg.signal ?? msg.args?.signal)
    if (Number.isInteger(n) && n > 0 && n < 65) proc()?.signal(n)
  }
}

/** Bytes of stdin a client may send before the command has started; more closes its socket. */
const maxQueuedInput = 8 * 1024 * 1024

/** Holds what arrives on websocket 0 before the process exists (clients send stdin right away), within a bound. */
class InputQueue {
  private queued: [Buffer, boolean][] = []
  private queuedBytes = 0
  private handler?: (data: Buffer, isBinary: boolean) => void
  private ws?: WebSocket
  closed = false
  private onClose?: () => void

  /** Starts buffering a socket's frames. */
  attach(ws: WebSocket): void {
    this.ws = ws
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.handler) return this.handler(data, isBinary)
      this.queuedBytes += data.length
      if (this.queuedBytes > maxQueuedInput)
        return ws.close(1009, 'Too much input before the command started')
      this.queued.push([data, isBinary])
    })
    ws.on('close', () => {
      this.closed = true
      this.onClose?.()
    })
  }

  /** Stops reading the socket (the command's stdin is full) until resume(). */
  pause(): void {
    this.ws?.pause()
  }

  /** Reads the socket again. */
  resume(): void {
    this.ws?.resume()
  }

  /** Delivers the buffered frames, then every later one; `close` runs once the socket is gone. */
  drain(handler: (data: Buffer, isBinary: boolean) => void, close: () => void): void {
    for (const [data, isBinary] of this.queued) handler(data, isBinary)
    this.queued = []
    this.queuedBytes = 0
    this.handler = handler
    this.onClose = close
    if (this.closed) close()
  }
}

/** Wires the process to the connected websockets and resolves with the exit code. */
async function mirror(
  proc: ExecProcess,
  sockets: Map<string, WebSocket>,
  input: InputQueue,
  interactive: boolean,
): Promise<number> {
  let inputOpen = true
  let exited = false
  const endInput = (): void => {
    if (inputOpen) proc.input.end()
    inputOpen = false
  }
  input.drain(
    (data, isBinary) => {
      // Backpressure: a client that sends faster than the command reads waits on its own socket.
      if (isBinary && inputOpen && !proc.input.write(data)) {
        input.pause()
        proc.input.once('drain', () => input.resume())
      } else if (!isBinary && !interactive) endInput() // a TEXT frame is the EOF barrier
    },
    () => {
      endInput()
      if (interactive && !exited) proc.signal(1) // the terminal went away: SIGHUP, as a closed pty would
    },
  )
  const outputs = interactive
    ? [streamToSocket(proc.output, sockets.get('0')!)]
    : [streamToSocket(proc.output, sockets.get('1')!), streamToSocket(proc.errors!, sockets.get('2')!)]
  await proc.pid
  const code = await proc.exited
  exited = true
  await Promise.all(outputs)
  return code
}

function websocketOperation(req: ApiRequest, inst: InstanceRecord, spec: ExecSpec): LiveOperation {
  const fdNames = spec.interactive ? ['0', 'control'] : ['0', '1', '2', 'control']
  const fds = Object.fromEntries(fdNames.map((fd) => [fd, randomBytes(32).toString('hex')]))
  const sockets = new Map<string, WebSocket>()
  const input = new InputQueue()
  let proc: ExecProcess | undefined
  let ready!: () => void
  const allConnected = new Promise<void>((resolve) => (ready = resolve))
  return req.state.operations.create({
    project: inst.project,
    class: 'websocket',
    description: 'Executing command',
    resources: { containers: [`/1.0/containers/${inst.name}`], instances: [`/1.0/instances/${inst.name}`] },
    metadata: { fds, command: spec.command, environment: spec.environment, interactive: spec.interactive },
    requestor: req.requestor(),
    connect(fd, ws) {
      if (sockets.has(fd)) return ws.close(1008)
      sockets.set(fd, ws)
      ws.on('error', () => undefined)
      if (fd === '0') input.attach(ws)
      if (fd === 'control') ws.on('message', (data: RawData) => onControl(() => proc, data))
      if (fdNames.every((f) => f === 'control' || sockets.has(f))) ready()
    },
    run: async () => {
      // The helper starts while the client connects; the command runs once all are connected.
      const pending = startDeferredExec(req.state, inst, spec)
      try {
        await awaitWebsockets(allConnected)
      } catch (err) {
        pending.cancel()
        throw err
      }
      try {
        proc = pending
        pending.go()
        return { return: await mirror(proc, sockets, input, spec.interactive) }
      } finally {
        for (const ws of sockets.values()) if (ws.readyState === ws.OPEN) ws.close(1000)
      }
    },
  })
}

function recordedOperation(
  req: ApiRequest,
  inst: InstanceRecord,
  spec: ExecSpec,
  record: boolean,
): LiveOperation {
  const holder: { op?: LiveOperation } = {}
  holder.op = req.state.operations.create({
    project: inst.project,
    class: 'task',
    description: 'Executing command',
    resources: { containers: [`/1.0/containers/${inst.name}`], instances: [`/1.0/instances/${inst.name}`] },
    requestor: req.requestor(),
    run: async () => {
      await Promise.resolve() // let create() return, so holder.op is set
      const proc = startExec(req.state, inst, spec)
      proc.input.end()
      const files: WriteStream[] = []
      const output: Record<string, string> = {}
      if (record) {
        const dir = instanceLogDir(req.state, inst.project, inst.name)
        mkdirSync(dir, { recursive: true, mode: 0o700 })
        for (const [fd, stream, ext] of [
          ['1', proc.output, 'stdout'],
          ['2', proc.errors!, 'stderr'],
        ] as const) {
          const file = `exec_${holder.op!.id}.${ext}`
          const out = createWriteStream(join(dir, file), { mode: 0o600 })
          // Recorded output lands on the daemon's own file system: bounded, the rest dropped.
          stream.pipe(capped(maxRecordedOutput)).pipe(out)
          files.push(out)
          output[fd] = `/1.0/instances/${inst.name}/logs/${file}`
        }
      } else {
        proc.output.resume()
        proc.errors?.resume()
      }
      await proc.pid
      const code = await proc.exited
      await Promise.all(files.map((f) => finished(f)))
      return record ? { return: code, output } : { return: code }
    },
  })
  return holder.op
}

async function postExec(req: ApiRequest) {
  const inst = getInstance(req.state.db, req.project(), req.params.name!)
  const post = parseExecPost(await req.json())
  const run = await runtimeState(req.state, inst)
  if (run.status === 'Frozen') throw badRequest('Instance is frozen')
  if (run.status !== 'Running') throw badRequest('Instance is not running')
  const environment = execEnvironment(expandedOf(req.state, inst).config, post.environment, {
    uid: post.user,
    interactive: post.interactive,
  })
  const spec: ExecSpec = {
    command: post.command,
    environment,
    cwd: post.cwd || environment.HOME || '/',
    uid: post.user,
    gid: post.group,
    interactive: post.interactive && post.waitForWebsocket,
    width: post.width,
    height: post.height,
  }
  if (post.waitForWebsocket) return async(websocketOperation(req, inst, spec))
  return async(recordedOperation(req, inst, spec, post.recordOutput))
}

/** The exec endpoint (index.ts adds the /1.0/containers alias). */
export const instanceExecEndpoints = [
  endpoint('/1.0/instances/{name}/exec', { post: { access: can('operate-containers'), handler: postExec } }),
]
