/** @module The unix-socket transport over node:http, with `ws` loaded only for websockets. */
import http from 'node:http'
import type {
  BinarySocket,
  EventSocket,
  RawRequest,
  RawResponse,
  Transport,
  TransportRequest,
  TransportResponse,
} from './transport.js'
import { connectionError } from './errors.js'

/** Builds a transport that talks HTTP over the unix socket at `socketPath`. */
export function unixTransport(socketPath: string): Transport {
  const base = 'http://unix.socket'
  return {
    base,
    request: (req) => sendRequest(socketPath, req),
    websocket: (path) => openWebsocket(socketPath, path),
    raw: (req) => sendRaw(socketPath, req),
    binarySocket: (path) => openBinarySocket(socketPath, path),
  }
}

function sendRaw(socketPath: string, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers }
    if (Buffer.isBuffer(req.body)) headers['Content-Length'] = String(req.body.length)
    const r = http.request(
      { socketPath, method: req.method, path: req.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        )
      },
    )
    r.on('error', (err) => reject(connectionError(err, { method: req.method, path: req.path, socketPath })))
    if (req.body === undefined || Buffer.isBuffer(req.body)) r.end(req.body)
    else req.body.pipe(r)
  })
}

async function openBinarySocket(socketPath: string, path: string): Promise<BinarySocket> {
  const { WebSocket } = await import('ws')
  const ws = new WebSocket(`ws+unix://${socketPath}:${path}`)
  const early: [Buffer, boolean][] = []
  let deliver: ((data: Buffer, isBinary: boolean) => void) | undefined
  ws.on('message', (data: Buffer, isBinary: boolean) =>
    deliver ? deliver(data, isBinary) : early.push([data, isBinary]),
  )
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', (err) => reject(connectionError(err, { method: 'GET', path, socketPath })))
  })
  const closed = new Promise<void>((resolve) => {
    ws.once('close', () => resolve())
    ws.on('error', () => resolve())
  })
  return {
    onMessage: (handler) => {
      deliver = handler
      for (const [data, isBinary] of early.splice(0)) handler(data, isBinary)
    },
    send: (data, binary = true) =>
      new Promise((resolve) => {
        if (ws.readyState !== ws.OPEN) return resolve()
        ws.send(data, { binary }, () => resolve())
      }),
    closed,
    close: () => ws.close(),
  }
}

/** A JSON request: sendRaw with the body as bytes and its JSON content type, the answer read as text. */
async function sendRequest(socketPath: string, req: TransportRequest): Promise<TransportResponse> {
  const headers: Record<string, string> = { ...req.headers }
  if (req.body !== undefined) headers['Content-Type'] = 'application/json'
  const body = req.body === undefined ? undefined : Buffer.from(req.body)
  const res = await sendRaw(socketPath, { method: req.method, path: req.path, headers, body })
  return { status: res.status, headers: res.headers, body: res.body.toString() }
}

async function openWebsocket(socketPath: string, path: string): Promise<EventSocket> {
  const { WebSocket } = await import('ws')
  const ws = new WebSocket(`ws+unix://${socketPath}:${path}`)
  // Messages can arrive before the caller registers a handler: hold them until then.
  const early: string[] = []
  let deliver: ((text: string) => void) | undefined
  ws.on('message', (data: Buffer) => (deliver ? deliver(data.toString()) : early.push(data.toString())))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', (err) => reject(connectionError(err, { method: 'GET', path, socketPath })))
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => reject(new Error(errorText(Buffer.concat(chunks).toString(), res.statusCode))))
    })
  })
  const closed = new Promise<string>((resolve) => {
    ws.once('close', (_code, reason) => resolve(reason.toString()))
    ws.on('error', (err) => resolve(err.message))
  })
  return {
    onMessage: (handler) => {
      deliver = handler
      for (const text of early.splice(0)) handler(text)
    },
    closed,
    close: () => ws.close(),
  }
}

function errorText(body: string, status: number | undefined): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    if (typeof parsed.error === 'string' && parsed.error !== '') return parsed.error
  } catch {
    // not an envelope: fall through
  }
  return `Websocket upgrade failed with status ${status ?? 0}`
}
