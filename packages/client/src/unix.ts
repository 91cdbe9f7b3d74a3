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
import { exchange, jsonExchange } from './http-exchange.js'
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
  return exchange(
    (headers, respond) =>
      http.request({ socketPath, method: req.method, path: req.path, headers, agent: false }, respond),
    req,
    (err) => connectionError(err, { method: req.method, path: req.path, socketPath }),
  )
}

async function openBinarySocket(socketPath: string, path: string): Promise<BinarySocket> {
  const { WebSocket } = await import('ws')
  const ws = new WebSocket(`ws+unix://${socketPath}:${path}`)
  return binarySocket(ws, (err) => connectionError(err, { method: 'GET', path, socketPath }))
}

/** A JSON request through sendRaw. */
function sendRequest(socketPath: string, req: TransportRequest): Promise<TransportResponse> {
  return jsonExchange((raw) => sendRaw(socketPath, raw), req)
}

async function openWebsocket(socketPath: string, path: string): Promise<EventSocket> {
  const { WebSocket } = await import('ws')
  const ws = new WebSocket(`ws+unix://${socketPath}:${path}`)
  return eventSocket(ws, (err) => connectionError(err, { method: 'GET', path, socketPath }))
}
