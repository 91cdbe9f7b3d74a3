/** @module System tier: a tenant — a client certificate restricted to one project — for the stock client and for raw TLS calls. */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tlsTransport } from '@corral/client'
import { run } from './corrald.js'
import { makeClientCert } from './certs.js'
import { stockClientEnv } from './stock-client.js'

/** Anything that runs the stock client and fails the test unless it exits 0. */
type Must = (args: string[]) => string

/** A trusted tenant: its certificate's files and a stock-client environment that presents it. */
export interface Tenant {
  cert: { cert: string; key: string }
  env: NodeJS.ProcessEnv
}

/** Makes certificate `tenant` in `work`, trusts it restricted to `project`, and gives it a stock-client home at `home`. */
export function trustTenant(must: Must, work: string, project: string, home: string): Tenant {
  const cert = makeClientCert(work, 'tenant')
  must(['config', 'trust', 'add', cert.cert, '--restricted', '--projects', project, '--name', 'tenant'])
  const env = stockClientEnv(home)
  writeFileSync(join(env.LXD_CONF!, 'client.crt'), readFileSync(cert.cert))
  writeFileSync(join(env.LXD_CONF!, 'client.key'), readFileSync(cert.key))
  return { cert, env }
}

/** Adds the daemon at 127.0.0.1:`port` as remote `tenant` of the tenant's client and makes it the default; fails the test otherwise. */
export function useTenantRemote(env: NodeJS.ProcessEnv, port: number): void {
  const added = run('lxc', ['remote', 'add', 'tenant', `https://127.0.0.1:${port}`, '--accept-certificate'], {
    env,
  })
  assert.equal(added.status, 0, added.stderr)
  assert.equal(run('lxc', ['remote', 'switch', 'tenant'], { env }).status, 0)
}

/** A raw API call over TLS: the status and the parsed body (`{}` when empty). */
export type TenantCall<E> = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: E }>

/** Raw API calls as `cert` to the daemon at 127.0.0.1:`port`, whose server certificate is in `stateDir`. */
export function tenantCall<E>(port: number, cert: Tenant['cert'], stateDir: string): TenantCall<E> {
  const transport = tlsTransport(`https://127.0.0.1:${port}`, {
    clientCert: readFileSync(cert.cert, 'utf8'),
    clientKey: readFileSync(cert.key, 'utf8'),
    serverCert: readFileSync(join(stateDir, 'server.crt'), 'utf8'),
  })
  return async (method, path, body) => {
    const r = await transport.request({
      method,
      path,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: r.status, body: JSON.parse(r.body || '{}') as E }
  }
}
