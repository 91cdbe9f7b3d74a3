/** @module The TLS transport: LXD's REST API over https and wss, with a client certificate and a pinned server. */
import https from 'node:https'
import type { Duplex } from 'node:stream'
import { tcpConnectionError } from './errors.js'
import { exchange, jsonExchange } from './http-exchange.js'
import { CertificateMismatchError, connectTlsSocket, hostPort, type TlsOptions } from './tls-socket.js'
import type { RawRequest, RawResponse, Transport, TransportRequest, TransportResponse } from './transport.js'
import { binarySocket, eventSocket } from './ws-sockets.js'

/** Builds a transport to `https://host[:port]` (default port 8443) presenting the client certificate. */
export function tlsTransport(url: string, opts: TlsOptions): Transport {
  const { host, port } = hostPort(url)
  const base = `https://${host.includes(':') ? `[${host}]` : host}:${port}`
  const address = base.slice('https://'.length)
  const connection = (_o: unknown, onReady: (err: Error | null, socket: Duplex) => void): undefined => {
    connectTlsSocket(base, opts, onReady)
    return undefined
  }
  const failure = (method: string, path: string) => (err: Error) =>
    err instanceof CertificateMismatchError
      ? err
      : tcpConnectionError(err, { method, url: `${base}${path}`, address })

  const raw = (req: RawRequest): Promise<RawResponse> =>
    exchange(
      (headers, respond) =>
        https.request(
          { host, port, method: req.method, path: req.path, headers, createConnection: connection },
          respond,
        ),
      req,
      failure(req.method, req.path),
    )
  const request = (req: TransportRequest): Promise<TransportResponse> => jsonExchange(raw, req)

  const open = async (path: string) => {
    const { WebSocket } = await import('ws')
    return new WebSocket(`wss://${address}${path}`, { createConnection: connection as never })
  }

  return {
    base,
    request,
    raw,
    websocket: async (path) => eventSocket(await open(path), failure('GET', path)),
    binarySocket: async (path) => binarySocket(await open(path), failure('GET', path)),
  }
}
