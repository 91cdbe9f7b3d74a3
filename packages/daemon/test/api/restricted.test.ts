/** @module API tier: restricted certificates see and change only their projects, over real TLS. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { request as httpsRequest } from 'node:https'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { WebSocket } from 'ws'
import { maxConnectionsPerTenant } from '../../src/endpoints/tls.js'
import { call, ok } from '../helpers/http.js'
import type { TestDaemon } from '../helpers/test-daemon.js'
import { startTlsDaemon, stopTlsDaemon } from '../helpers/tls-daemon.js'
import { makeCert, tlsCall, type ClientCert } from '../helpers/tls.js'

let d: TestDaemon
let work = ''
let port = 0
let restricted: ClientCert
let admin: ClientCert
let restrictedFp = ''
let adminFp = ''

const asRestricted = (method: string, path: string, body?: unknown) =>
  tlsCall({ port, who: restricted }, method, path, body)

async function trust(name: string, cert: ClientCert, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call(d.socket, 'POST', '/1.0/certificates', {
    body: { name, type: 'client', certificate: cert.cert, ...extra },
  })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return String(res.headers.location).split('/').pop()!
}

before(async () => {
  ;({ d, work, port } = await startTlsDaemon('corral-restricted-'))
  restricted = makeCert(work, 'restricted')
  admin = makeCert(work, 'admin')
  await ok(d.socket, 'POST', '/1.0/projects', { body: { name: 'p1' } })
  await ok(d.socket, 'POST', '/1.0/profiles?project=p1', { body: { name: 'web' } })
  await ok(d.socket, 'POST', '/1.0/profiles', { body: { name: 'secret-default' } })
  restrictedFp = await trust('ci-bot', restricted, { restricted: true, projects: ['p1'] })
  adminFp = await trust('laptop', admin)
})

after(() => stopTlsDaemon(d, work))

test("a certificate restricted to p1 lists p1's profiles and is refused the default project's", async () => {
  const mine = await asRestricted('GET', '/1.0/profiles?project=p1')
  assert.equal(mine.status, 200)
  assert.deepEqual(mine.body.metadata, ['/1.0/profiles/default?project=p1', '/1.0/profiles/web?project=p1'])
  for (const path of [
    '/1.0/profiles',
    '/1.0/profiles/secret-default',
    '/1.0/instances',
    '/1.0/images/aliases',
  ]) {
    const res = await asRestricted('GET', path)
    assert.equal(res.status, 403, path)
    assert.equal(res.body.error, 'not authorized', path)
  }
  assert.equal((await asRestricted('POST', '/1.0/profiles', { name: 'x' })).status, 403)
  assert.equal((await asRestricted('POST', '/1.0/profiles?project=p1', { name: 'x' })).status, 201)
  // The unrestricted certificate still sees the default project.
  assert.equal((await tlsCall({ port, who: admin }, 'GET', '/1.0/profiles/secret-default')).status, 200)
})

test('it sees only its own certificate', async () => {
  const list = await asRestricted('GET', '/1.0/certificates?recursion=1')
  assert.deepEqual(
    (list.body.metadata as { fingerprint: string }[]).map((c) => c.fingerprint),
    [restrictedFp],
  )
  assert.equal((await asRestricted('GET', `/1.0/certificates/${restrictedFp}`)).status, 200)
  const other = await asRestricted('GET', `/1.0/certificates/${adminFp}`)
  assert.equal(other.status, 404)
  assert.equal((await asRestricted('DELETE', `/1.0/certificates/${adminFp}`)).status, 403)
  assert.equal((await asRestricted('POST', '/1.0/certificates', { token: true, name: 'x' })).status, 403)
})

test('it cannot change its own name, type, restriction or projects, and nothing changes', async () => {
  const before = await ok(d.socket, 'GET', `/1.0/certificates/${restrictedFp}`)
  const attempts = [
    { restricted: false },
    { projects: ['p1', 'default'] },
    { projects: [] },
    { name: 'renamed' },
  ]
  for (const patch of attempts) {
    const res = await asRestricted('PATCH', `/1.0/certificates/${restrictedFp}`, patch)
    assert.equal(res.status, 403, JSON.stringify(patch))
    assert.equal(res.body.error, 'Only the certificate can be changed')
  }
  const put = await asRestricted('PUT', `/1.0/certificates/${restrictedFp}`, {
    name: 'ci-bot',
    type: 'client',
    restricted: false,
    projects: [],
  })
  assert.equal(put.status, 403)
  assert.deepEqual(await ok(d.socket, 'GET', `/1.0/certificates/${restrictedFp}`), before)
  // Re-sending its own fields unchanged is allowed.
  assert.equal(
    (await asRestricted('PATCH', `/1.0/certificates/${restrictedFp}`, { name: 'ci-bot' })).status,
    200,
  )
})

test('no server config, no other projects, no server-wide writes', async () => {
  const info = (await asRestricted('GET', '/1.0')).body.metadata as { auth: string; config: object }
  assert.equal(info.auth, 'trusted')
  assert.deepEqual(info.config, {})
  assert.equal((await asRestricted('PATCH', '/1.0', { config: { 'user.x': 'y' } })).status, 403)
  assert.deepEqual((await asRestricted('GET', '/1.0/projects')).body.metadata, ['/1.0/projects/p1'])
  assert.equal((await asRestricted('GET', '/1.0/projects/p1')).status, 200)
  assert.equal((await asRestricted('GET', '/1.0/projects/default')).status, 403)
  assert.equal((await asRestricted('PATCH', '/1.0/projects/p1', { config: {} })).status, 403)
  assert.equal((await asRestricted('POST', '/1.0/projects', { name: 'p2' })).status, 403)
  assert.equal((await asRestricted('POST', '/1.0/storage-pools', { name: 'x', driver: 'dir' })).status, 403)
  assert.equal((await asRestricted('GET', '/1.0/operations')).status, 403)
  assert.equal((await asRestricted('GET', '/1.0/operations?project=p1')).status, 200)
})

test('its event stream is limited to its projects', async () => {
  const open = (path: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`wss://127.0.0.1:${port}${path}`, { ...restricted, rejectUnauthorized: false })
      ws.once('open', () => {
        ws.close()
        resolve(101)
      })
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.once('error', () => {})
    })
  assert.equal(await open('/1.0/events?project=p1'), 101)
  assert.equal(await open('/1.0/events'), 403)
  assert.equal(await open('/1.0/events?all-projects=true&project=p1'), 403)
  assert.equal(await open('/1.0/events?project=p1&type=logging'), 403)
})

test('an admin can widen the restriction, and the new projects apply at once', async () => {
  await ok(d.socket, 'PATCH', `/1.0/certificates/${restrictedFp}`, { body: { projects: ['p1', 'default'] } })
  assert.equal((await asRestricted('GET', '/1.0/profiles/secret-default')).status, 200)
  const bad = await call(d.socket, 'PATCH', `/1.0/certificates/${restrictedFp}`, {
    body: { restricted: false },
  })
  assert.equal(bad.status, 400, 'projects without restricted stay refused')
  await ok(d.socket, 'PATCH', `/1.0/certificates/${restrictedFp}`, { body: { projects: ['p1'] } })
  assert.equal((await asRestricted('GET', '/1.0/profiles/secret-default')).status, 403)
})

test("a restricted token gives the redeeming client the token's restriction, whatever it asks for", async () => {
  const issued = await call(d.socket, 'POST', '/1.0/certificates', {
    body: { name: 'ci-token', type: 'client', token: true, restricted: true, projects: ['p1'] },
  })
  assert.equal(issued.status, 202, JSON.stringify(issued.body))
  const meta = (issued.body.metadata as { metadata: Record<string, unknown> }).metadata
  const token = Buffer.from(
    JSON.stringify({
      client_name: meta.clientName,
      fingerprint: meta.fingerprint,
      addresses: meta.addresses,
      secret: meta.secret,
      expires_at: meta.expiresAt,
    }),
  ).toString('base64')
  const newcomer = makeCert(work, 'newcomer')
  const redeemed = await tlsCall({ port, who: newcomer }, 'POST', '/1.0/certificates', {
    type: 'client',
    trust_token: token,
    name: 'wants-admin',
    restricted: false,
    projects: [],
  })
  assert.equal(redeemed.status, 201, JSON.stringify(redeemed.body))
  const fp = String(redeemed.headers.location).split('/').pop()!
  const stored = await ok<{ name: string; restricted: boolean; projects: string[] }>(
    d.socket,
    'GET',
    `/1.0/certificates/${fp}`,
  )
  assert.deepEqual([stored.name, stored.restricted, stored.projects], ['ci-token', true, ['p1']])
  assert.equal((await tlsCall({ port, who: newcomer }, 'GET', '/1.0/profiles')).status, 403)
  assert.equal((await tlsCall({ port, who: newcomer }, 'GET', '/1.0/profiles?project=p1')).status, 200)
})

test("in a project sharing the default project's images it reads them and changes none", async () => {
  await ok(d.socket, 'POST', '/1.0/projects', {
    body: { name: 'pimg', config: { 'features.images': 'false', 'features.profiles': 'true' } },
  })
  const tenant = makeCert(work, 'shared-images')
  await trust('shared-images', tenant, { restricted: true, projects: ['pimg'] })
  const as = (method: string, path: string, body?: unknown) =>
    tlsCall({ port, who: tenant }, method, path, body)
  assert.equal((await as('GET', '/1.0/images?project=pimg')).status, 200)
  assert.equal((await as('GET', '/1.0/images/aliases?project=pimg')).status, 200)
  const before = await ok(d.socket, 'GET', '/1.0/images/aliases?recursion=1')
  for (const [method, path, body] of [
    ['POST', '/1.0/images/aliases?project=pimg', { name: 'ubuntu', target: 'f'.repeat(64) }],
    ['DELETE', '/1.0/images/aliases/ubuntu?project=pimg', undefined],
    ['PATCH', `/1.0/images/${'f'.repeat(64)}?project=pimg`, { public: true }],
    ['DELETE', `/1.0/images/${'f'.repeat(64)}?project=pimg`, undefined],
    ['POST', '/1.0/images?project=pimg', { source: { type: 'url', url: 'https://127.0.0.1:1/x' } }],
  ] as const) {
    const res = await as(method, path, body)
    assert.equal(res.status, 403, `${method} ${path}`)
    assert.equal(res.body.error, 'not authorized')
  }
  assert.deepEqual(await ok(d.socket, 'GET', '/1.0/images/aliases?recursion=1'), before)
  // In a project with images of its own, the same alias request reaches the handler (no such image).
  const own = await asRestricted('POST', '/1.0/images/aliases?project=p1', {
    name: 'x',
    target: 'f'.repeat(64),
  })
  assert.notEqual(own.status, 403)
})

test('a restricted certificate holds at most its share of TLS connections; the admin still gets in', async () => {
  const held: TLSSocket[] = []
  const connect = () =>
    new Promise<TLSSocket>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ...restricted, rejectUnauthorized: false })
      socket.once('secureConnect', () => resolve(socket))
      socket.once('error', reject)
    })
  try {
    for (let i = 0; i < maxConnectionsPerTenant; i++) held.push(await connect())
    // Let the server count them all before the next one.
    assert.equal((await tlsCall({ port, who: admin }, 'GET', '/1.0')).status, 200)
    // A fresh connection (a pooled keep-alive one from earlier tests is one of the held share).
    const fresh = new Promise<number>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/1.0?project=p1',
          agent: false,
          rejectUnauthorized: false,
          ...restricted,
        },
        (res) => resolve(res.statusCode ?? 0),
      )
      req.on('error', reject)
      req.end()
    })
    await assert.rejects(fresh)
    assert.equal((await tlsCall({ port, who: admin }, 'GET', '/1.0')).status, 200, 'the admin is not counted')
  } finally {
    for (const s of held) s.destroy()
  }
  await new Promise((r) => setTimeout(r, 200))
  assert.equal((await asRestricted('GET', '/1.0?project=p1')).status, 200, 'its share comes back once closed')
})
