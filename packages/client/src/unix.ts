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
import { binarySocket, eventSocket } from './ws-sockets.js'

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
  return binarySocket(ws, (err) => connectionError(err, { method: 'GET', path, socketPath }))
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
  return eventSocket(ws, (err) => connectionError(err, { method: 'GET', path, socketPath }))
}
