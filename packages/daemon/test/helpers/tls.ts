/** @module TLS helpers for the API tier: throwaway client certificates, free ports, HTTPS calls. */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { call } from './http.js'

/** A client certificate and its key, PEM. */
export interface ClientCert {
  cert: string
  key: string
}

/** Creates a self-signed certificate named `name` in `dir` (ECDSA P-384 unless `args` say otherwise). */
export function makeCert(
  dir: string,
  name: string,
  args: string[] = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1'],
): ClientCert {
  const key = join(dir, `${name}.key`)
  const cert = join(dir, `${name}.crt`)
  execFileSync(
    'openssl',
    ['req', '-x509', ...args, '-nodes', '-days', '30', '-subj', `/CN=${name}`, '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  )
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') }
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

/** Where a TLS request goes and who makes it. */
export interface TlsTarget {
  port: number
  host?: string
  who?: ClientCert
}

/** One HTTPS request (JSON body for writes), read whole; `body` is the parsed envelope. */
export function tlsCall(
  target: TlsTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.host ?? '127.0.0.1',
        port: target.port,
        method,
        path,
        rejectUnauthorized: false,
        ...(target.who ?? {}),
      },
      (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString('utf8')))
        res.on('end', () => {
          let parsed: Record<string, unknown>
          try {
            parsed = JSON.parse(text) as Record<string, unknown>
          } catch {
            parsed = { raw: text }
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers })
        })
      },
    )
    req.on('error', reject)
    const payload =
      body !== undefined ? JSON.stringify(body) : method === 'GET' || method === 'DELETE' ? undefined : '{}'
    req.end(payload)
  })
}

/** Serves `d`'s remote API on 127.0.0.1 at a free port; returns the port. */
export async function listenTls(d: { socket: string }): Promise<number> {
  const port = await freePort()
  const res = await call(d.socket, 'PATCH', '/1.0', {
    body: { config: { 'core.https_address': `127.0.0.1:${port}` } },
  })
  if (res.status !== 200) throw new Error(`core.https_address: ${String(res.body.error)}`)
  return port
}
