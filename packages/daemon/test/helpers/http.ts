/** @module Raw HTTP over a unix socket for tests: status, headers and the parsed envelope. */
import { request } from 'node:http'

/** A response as tests inspect it. */
export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Record<string, unknown>
}

/** Options of call(). */
export interface CallOptions {
  body?: unknown
  /** Sent as-is instead of JSON-encoding `body`. */
  rawBody?: string | Buffer
  headers?: Record<string, string>
}

/** Sends one request to the socket and parses the JSON answer. */
export function call(
  socketPath: string,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<RawResponse> {
  const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { Host: 'corral', ...opts.headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        try {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(text) as Record<string, unknown>,
          })
        } catch {
          reject(new Error(`Not JSON (${res.statusCode}): ${text.slice(0, 200)}`))
        }
      })
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/** The metadata of a successful call; throws with the error otherwise. */
export async function ok<T = unknown>(
  socketPath: string,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<T> {
  const res = await call(socketPath, method, path, opts)
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${String(res.body.error)}`)
  return res.body.metadata as T
}
