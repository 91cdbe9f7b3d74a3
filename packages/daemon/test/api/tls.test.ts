/** @module API tier: the remote API over TLS on loopback: untrusted matrix, trust store, live listener. */
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { after, before, test } from 'node:test'
import { endpoints } from '../../src/api/index.js'
import { call, ok } from '../helpers/http.js'
import type { TestDaemon } from '../helpers/test-daemon.js'
import { startTlsDaemon, stopTlsDaemon } from '../helpers/tls-daemon.js'
import { freePort, makeCert as makeCertIn, tlsCall, type ClientCert, listenTls } from '../helpers/tls.js'

let d: TestDaemon
let work = ''
let port = 0
const client = { cert: '', key: '' }
const stranger = { cert: '', key: '' }

const makeCert = (name: string, args?: string[]) => makeCertIn(work, name, args)

/** One HTTPS request to the daemon, optionally with a client certificate. */
function tls(method: string, path: string, who?: ClientCert, host = '127.0.0.1', p = port) {
  return tlsCall({ port: p, host, ...(who ? { who } : {}) }, method, path)
}

before(async () => {
  ;({ d, work, port } = await startTlsDaemon('corral-tls-'))
  Object.assign(client, makeCert('client'))
  Object.assign(stranger, makeCert('stranger'))
})

after(() => stopTlsDaemon(d, work))

test('an untrusted client gets GET / and the untrusted view of GET /1.0, without environment or config', async () => {
  assert.deepEqual((await tls('GET', '/')).body.metadata, ['/1.0'])
  const res = await tls('GET', '/1.0')
  const m = res.body.metadata as Record<string, unknown>
  assert.equal(m.auth, 'untrusted')
  assert.deepEqual(Object.keys(m).sort(), [
    'api_extensions',
    'api_status',
    'api_version',
    'auth',
    'auth_methods',
    'public',
  ])
})

test('every action not declared untrusted is 403 "not authorized" without a certificate and with an unknown one', async () => {
  for (const who of [undefined, stranger]) {
    for (const e of endpoints) {
      const path = e.path.replace(/\{\w+\}/g, 'x')
      for (const [method, action] of Object.entries(e.actions)) {
        if (action.access === 'untrusted') continue
        const res = await tls(method.toUpperCase(), path, who)
        assert.equal(res.status, 403, `${method} ${path}`)
        assert.equal(res.body.error, 'not authorized', `${method} ${path}`)
      }
    }
  }
})

test('a certificate added to the trust store makes its holder trusted; removing it ends that', async () => {
  const add = await call(d.socket, 'POST', '/1.0/certificates', {
    body: { name: 'laptop', type: 'client', certificate: client.cert },
  })
  assert.equal(add.status, 201)
  const fp = String(add.headers.location).split('/').pop()!
  const listed = await tls('GET', '/1.0/certificates?recursion=1', client)
  assert.equal(listed.status, 200)
  assert.deepEqual(
    (listed.body.metadata as { name: string; fingerprint: string }[]).map((c) => [c.name, c.fingerprint]),
    [['laptop', fp]],
  )
  const info = (await tls('GET', '/1.0', client)).body.metadata as {
    auth: string
    environment: { addresses: string[] }
  }
  assert.equal(info.auth, 'trusted')
  assert.deepEqual(info.environment.addresses, [`127.0.0.1:${port}`])
  assert.equal((await tls('GET', '/1.0/profiles', client)).status, 200)
  assert.equal((await tls('GET', '/1.0/profiles', stranger)).status, 403)
  await ok(d.socket, 'DELETE', `/1.0/certificates/${fp}`)
  assert.equal((await tls('GET', '/1.0/profiles', client)).status, 403)
})

test('bad certificates and requests are refused and nothing is added', async () => {
  const weak = makeCert('weak', ['-newkey', 'rsa:1024'])
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ name: 'a', certificate: 'not a certificate' }, /Invalid certificate material/],
    [{ name: 'a', certificate: weak.cert }, /too weak/],
    [{ name: '-foo', certificate: client.cert }, /Invalid certificate name/],
    [{ name: 'fo/o', certificate: client.cert }, /Invalid certificate name/],
    [{ name: 'a', certificate: client.cert, projects: ['default'] }, /restricted certificate/],
    [{ name: 'a', certificate: client.cert, restricted: true, projects: ['nope'] }, /Project not found/],
    [{ name: 'a' }, /No certificate provided/],
  ]
  for (const [body, message] of cases) {
    const res = await call(d.socket, 'POST', '/1.0/certificates', { body })
    assert.ok(res.status >= 400 && res.status < 500, JSON.stringify(body))
    assert.match(String(res.body.error), message)
  }
  assert.deepEqual(await ok(d.socket, 'GET', '/1.0/certificates'), [])
})

test('core.https_address moves the listener live, a bind failure keeps the old one, unset stops it', async () => {
  const next = await freePort()
  await ok(d.socket, 'PATCH', '/1.0', { body: { config: { 'core.https_address': `[::1]:${next}` } } })
  assert.equal((await tls('GET', '/', undefined, '::1', next)).status, 200)
  await assert.rejects(tls('GET', '/', undefined, '127.0.0.1', port), 'the old port no longer answers')
  const busy = createServer().listen(0, '127.0.0.1')
  await new Promise((r) => busy.once('listening', r))
  const busyPort = (busy.address() as { port: number }).port
  const res = await call(d.socket, 'PATCH', '/1.0', {
    body: { config: { 'core.https_address': `127.0.0.1:${busyPort}` } },
  })
  busy.close()
  assert.equal(res.status, 400)
  assert.match(String(res.body.error), /Cannot listen on https socket/)
  assert.equal(
    (await ok<{ config: Record<string, string> }>(d.socket, 'GET', '/1.0')).config['core.https_address'],
    `[::1]:${next}`,
  )
  assert.equal((await tls('GET', '/', undefined, '::1', next)).status, 200, 'the old listener still answers')
  await ok(d.socket, 'PATCH', '/1.0', { body: { config: { 'core.https_address': '' } } })
  await assert.rejects(tls('GET', '/', undefined, '::1', next), 'nothing listens after unset')
})

test('a certificate whose fingerprint is trusted but whose content differs from the stored one is refused', async () => {
  const { X509Certificate } = await import('node:crypto')
  const { fingerprintOfDer } = await import('../../src/certificate/fingerprint.js')
  const fp = fingerprintOfDer(new X509Certificate(client.cert).raw)
  port = await listenTls(d)
  // A store row under the client's fingerprint holding other material (a forged or corrupted entry).
  d.daemon.state.db
    .prepare(
      'INSERT INTO certificates (fingerprint, type, name, certificate, restricted, projects) VALUES (?, ?, ?, ?, 0, ?)',
    )
    .run(fp, 'client', 'forged', stranger.cert, '[]')
  try {
    const res = await tls('GET', '/1.0/profiles', client)
    assert.equal(res.status, 403)
    assert.equal(((await tls('GET', '/1.0', client)).body.metadata as { auth: string }).auth, 'untrusted')
  } finally {
    d.daemon.state.db.prepare('DELETE FROM certificates WHERE fingerprint = ?').run(fp)
  }
})
