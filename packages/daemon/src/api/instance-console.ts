/** @module /1.0/instances/{name}/console: the console over websockets (POST), its log (GET) and clearing it (DELETE). */
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import type { RawData, WebSocket } from 'ws'
import { badRequest } from '@corral/api'
import { getInstance, type InstanceRecord } from '../db/instances.js'
import { attachConsole, clearConsoleLog, consoleLog, isAlive, runtimeState } from '../instance/container.js'
import type { LiveOperation } from '../operation/operation.js'
import { asObject, stringField } from './body.js'
import { can } from './access.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { async, empty, raw } from './response.js'
import { awaitWebsockets } from './websocket-wait.js'

function toBuffer(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
}

/** Relays the console helper and the data socket until either side goes, or the control socket closes (detach). */
function relay(child: ChildProcess, data: WebSocket, control: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    const end = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      if (data.readyState === data.OPEN) data.send(chunk, { binary: true })
    })
    child.stdin?.on('error', () => undefined)
    data.on('message', (msg: RawData, isBinary: boolean) => {
      if (isBinary && child.stdin?.writable) child.stdin.write(toBuffer(msg))
    })
    data.once('close', end)
    control.once('close', end)
    child.once('error', () => resolve())
    child.once('close', () => resolve())
  })
}

function consoleOperation(req: ApiRequest, inst: InstanceRecord): LiveOperation {
  const fds = { '0': randomBytes(32).toString('hex'), control: randomBytes(32).toString('hex') }
  const sockets = new Map<string, WebSocket>()
  let ready!: () => void
  const connected = new Promise<void>((resolve) => (ready = resolve))
  return req.state.operations.create({
    project: inst.project,
    class: 'websocket',
    description: 'Showing console',
    resources: { containers: [`/1.0/containers/${inst.name}`], instances: [`/1.0/instances/${inst.name}`] },
    metadata: { fds },
    requestor: req.requestor(),
    connect(fd, ws) {
      if (sockets.has(fd)) return ws.close(1008)
      sockets.set(fd, ws)
      ws.on('error', () => undefined)
      // The control socket carries window sizes; a console keeps the container's own, as LXD's does.
      if (fd === 'control') ws.on('message', () => undefined)
      if (sockets.has('0') && sockets.has('control')) ready()
    },
    run: async () => {
      await awaitWebsockets(connected)
      try {
        await relay(attachConsole(req.state, inst), sockets.get('0')!, sockets.get('control')!)
      } finally {
        for (const ws of sockets.values()) if (ws.readyState === ws.OPEN) ws.close(1000)
      }
      return {}
    },
  })
}

const load = (req: ApiRequest) => getInstance(req.state.db, req.project(), req.params.name!)

/** The console endpoints (LXD's `console` API extension). */
export const instanceConsoleEndpoints = [
  endpoint('/1.0/instances/{name}/console', {
    post: {
      access: can('operate-containers'),
      handler: async (req) => {
        const inst = load(req)
        const body = asObject(await req.json())
        const type = stringField(body, 'type') || 'console'
        if (type === 'vga') throw badRequest('VGA console is only supported by virtual machines')
        if (type !== 'console') throw badRequest(`Unknown console type "${type}"`)
        for (const f of ['width', 'height'])
          if (body[f] !== undefined && (typeof body[f] !== 'number' || !Number.isInteger(body[f])))
            throw badRequest(`Invalid value for field "${f}": must be an integer`)
        const run = await runtimeState(req.state, inst)
        if (run.status === 'Frozen') throw badRequest('Instance is frozen')
        if (!isAlive(run)) throw badRequest('Instance is not running')
        return async(consoleOperation(req, inst))
      },
    },
    get: {
      access: can('view'),
      handler: async (req) => {
        const inst = load(req)
        const log = await consoleLog(req.state, inst, isAlive(await runtimeState(req.state, inst)))
        return raw(log, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(log.length),
          'Content-Disposition': 'inline;filename=console.log',
        })
      },
    },
    delete: {
      access: can('operate-containers'),
      handler: async (req) => {
        const inst = load(req)
        await clearConsoleLog(req.state, inst, isAlive(await runtimeState(req.state, inst)))
        return empty()
      },
    },
  }),
]
