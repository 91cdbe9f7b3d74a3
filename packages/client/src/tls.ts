/** @module The TLS transport: LXD's REST API over https and wss, with a client certificate and a pinned server. */
import https from 'node:https'
import type { Duplex } from 'node:stream'
import { tcpConnectionError } from './errors.js'
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
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...req.headers }
      if (Buffer.isBuffer(req.body)) headers['Content-Length'] = String(req.body.length)
      const r = https.request(
        { host, port, method: req.method, path: req.path, headers, createConnection: connection },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', reject)
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          )
        },
      )
      r.on('error', (err) => reject(failure(req.method, req.path)(err)))
      if (req.body === undefined || Buffer.isBuffer(req.body)) r.end(req.body)
      else req.body.pipe(r)
    })

  const request = async (req: TransportRequest): Promise<TransportResponse> => {
    const headers: Record<string, string> = { ...req.headers }
    if (req.body !== undefined) headers['Content-Type'] = 'application/json'
    const body = req.body === undefined ? undefined : Buffer.from(req.body)
    const res = await raw({ method: req.method, path: req.path, headers, body })
    return { status: res.status, headers: res.headers, body: res.body.toString() }
  }

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
