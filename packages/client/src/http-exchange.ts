/** @module One HTTP exchange for both transports: the body sent or piped, the whole answer collected. */
import type { ClientRequest, IncomingMessage } from 'node:http'
import type { RawRequest, RawResponse, TransportRequest, TransportResponse } from './transport.js'

/** Opens a request (node:http or node:https) with these headers; `respond` receives the answer. */
export type OpenRequest = (
  headers: Record<string, string>,
  respond: (res: IncomingMessage) => void,
) => ClientRequest

/** Sends `req` through `open` and collects the answer; a connection error is mapped by `failure`. */
export function exchange(
  open: OpenRequest,
  req: RawRequest,
  failure: (err: Error) => Error,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers }
    if (Buffer.isBuffer(req.body)) headers['Content-Length'] = String(req.body.length)
    const r = open(headers, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
    })
    r.on('error', (err) => reject(failure(err)))
    if (req.body === undefined || Buffer.isBuffer(req.body)) r.end(req.body)
    else req.body.pipe(r)
  })
}

/** A JSON request sent as a raw one: the body as bytes with its content type, the answer read as text. */
export async function jsonExchange(
  raw: (req: RawRequest) => Promise<RawResponse>,
  req: TransportRequest,
): Promise<TransportResponse> {
  const headers: Record<string, string> = { ...req.headers }
  if (req.body !== undefined) headers['Content-Type'] = 'application/json'
  const body = req.body === undefined ? undefined : Buffer.from(req.body)
  const res = await raw({ method: req.method, path: req.path, headers, body })
  return { status: res.status, headers: res.headers, body: res.body.toString() }
}
