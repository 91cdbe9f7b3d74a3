/** @module An LXD-style exec client for tests: POST exec, then the operation's websockets. */
import { request } from 'node:http'
import type { Operation } from '@corral/api'
import { WebSocket } from 'ws'
import { call, ok } from './http.js'

/** What a finished command produced. */
export interface ExecResult {
  stdout: string
  stderr: string
  code: number
  operation: Operation
}

/** Opens one operation websocket. */
export function openSocket(socket: string, opId: string, secret: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws+unix://${socket}:/1.0/operations/${opId}/websocket?secret=${secret}`)
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** Collects a socket's binary frames until it closes. */
export function collectSocket(ws: WebSocket): Promise<string> {
  const chunks: Buffer[] = []
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) chunks.push(data)
  })
  return new Promise((resolve) => ws.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))))
}

/** Starts an exec operation and returns it with its fd secrets. */
export async function postExec(
  socket: string,
  instance: string,
  body: Record<string, unknown>,
): Promise<{ id: string; fds: Record<string, string> }> {
  const res = await call(socket, 'POST', `/1.0/instances/${instance}/exec`, { body })
  if (res.status !== 202) throw new Error(`exec → ${res.status}: ${String(res.body.error)}`)
  const op = res.body.metadata as Operation
  return { id: op.id, fds: (op.metadata?.fds ?? {}) as Record<string, string> }
}

/** Runs a non-interactive command over websockets, feeding `stdin` then the EOF barrier. */
export async function execWs(
  socket: string,
  instance: string,
  command: string[],
  opts: { stdin?: string; body?: Record<string, unknown> } = {},
): Promise<ExecResult> {
  const { id, fds } = await postExec(socket, instance, {
    command,
    'wait-for-websocket': true,
    interactive: false,
    ...opts.body,
  })
  const [ws0, ws1, ws2] = await Promise.all(['0', '1', '2'].map((fd) => openSocket(socket, id, fds[fd]!)))
  const out = collectSocket(ws1!)
  const err = collectSocket(ws2!)
  if (opts.stdin) ws0!.send(Buffer.from(opts.stdin), { binary: true })
  ws0!.send(JSON.stringify({ command: 'end' }))
  const operation = await ok<Operation>(socket, 'GET', `/1.0/operations/${id}/wait?timeout=30`)
  ws0!.close()
  return { stdout: await out, stderr: await err, code: Number(operation.metadata?.return), operation }
}

/** A response with its raw body (file contents are not JSON). */
export interface RawBodyResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** Sends one request and returns the raw body. */
export function rawRequest(
  socket: string,
  method: string,
  path: string,
  opts: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<RawBodyResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: socket, method, path, headers: { Host: 'corral', ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        )
      },
    )
    req.on('error', reject)
    req.end(opts.body)
  })
}
