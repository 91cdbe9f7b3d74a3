/** @module API tier: core.trust_password as LXD 5.0.2 has it, bad trust tokens, and expiring image secrets, over real TLS. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { issueImageSecret } from '../../src/image/secrets.js'
import { call, ok } from '../helpers/http.js'
import type { TestDaemon } from '../helpers/test-daemon.js'
import { startTlsDaemon, stopTlsDaemon } from '../helpers/tls-daemon.js'
import { makeCert, tlsCall, type ClientCert } from '../helpers/tls.js'

let d: TestDaemon
let work = ''
let port = 0
const certs: Record<string, ClientCert> = {}

const trustedCount = () =>
  (d.daemon.state.db.prepare('SELECT count(*) AS n FROM certificates').get() as { n: number }).n
const storedPassword = () =>
  (
    d.daemon.state.db.prepare("SELECT value FROM config WHERE key = 'core.trust_password'").get() as
      { value: string } | undefined
  )?.value
const asCert = (name: string, method: string, path: string, body?: unknown) =>
  tlsCall({ port, who: certs[name] }, method, path, body)

before(async () => {
  ;({ d, work, port } = await startTlsDaemon('corral-trustpw-'))
  for (const n of ['alice', 'bob', 'carol', 'tenant', 'guesser']) certs[n] = makeCert(work, n)
})

after(() => stopTlsDaemon(d, work))

test('unset by default: a password is refused 403 "not authorized", nothing added', async () => {
  const res = await asCert('alice', 'POST', '/1.0/certificates', { type: 'client', password: 'anything' })
  assert.equal(res.status, 403)
  assert.equal(res.body.error, 'not authorized')
  assert.equal(trustedCount(), 0)
})

test('an invalid or unknown trust token is 403 "not authorized" as in LXD, nothing added', async () => {
  const unknown = Buffer.from(
    JSON.stringify({
      client_name: 'x',
      fingerprint: 'ab',
      addresses: ['127.0.0.1:1'],
      secret: 'f'.repeat(64),
    }),
  ).toString('base64')
  for (const token of ['not-a-token', unknown, Buffer.from('{"secret":').toString('base64')]) {
    for (const field of ['trust_token', 'password']) {
      const res = await asCert('alice', 'POST', '/1.0/certificates', { type: 'client', [field]: token })
      assert.equal(res.status, 403, `${field}=${token}`)
      assert.equal(res.body.error, 'not authorized')
    }
  }
  assert.equal(trustedCount(), 0)
})

test('the admin sets it; it is stored only as a salted scrypt hash and shown as true', async () => {
  await ok(d.socket, 'PATCH', '/1.0', { body: { config: { 'core.trust_password': 'hunter2-correct' } } })
  const stored = storedPassword() ?? ''
  assert.match(stored, /^scrypt:16384:8:1:[0-9a-f]{64}:[0-9a-f]{128}$/)
  assert.ok(!stored.includes('hunter2'))
  const server = await ok<{ config: Record<string, unknown> }>(d.socket, 'GET', '/1.0')
  assert.equal(server.config['core.trust_password'], true)
  // GET, change something else, PUT back (what lxc config set does): the password is kept.
  await ok(d.socket, 'PUT', '/1.0', { body: { config: { ...server.config, 'core.shutdown_timeout': '3' } } })
  assert.equal(storedPassword(), stored)
  await ok(d.socket, 'PATCH', '/1.0', { body: { config: { 'core.shutdown_timeout': '4' } } })
  assert.equal(storedPassword(), stored)
  const bad = await call(d.socket, 'PATCH', '/1.0', { body: { config: { 'core.shutdown_timeout': false } } })
  assert.equal(bad.status, 400)
})

test('the password trusts the presented certificate only, never another one named in the body', async () => {
  const res = await asCert('bob', 'POST', '/1.0/certificates', {
    type: 'client',
    certificate: certs.carol!.cert,
    password: 'hunter2-correct',
  })
  assert.equal(res.status, 400)
  assert.equal(res.body.error, 'The certificate must be the one presented on this connection')
  assert.equal(trustedCount(), 0)
})

test('a wrong password is 403 and adds nothing; the right one trusts the presented certificate once', async () => {
  const wrong = await asCert('alice', 'POST', '/1.0/certificates', { type: 'client', password: 'hunter2' })
  assert.equal(wrong.status, 403)
  assert.equal(wrong.body.error, 'not authorized')
  assert.equal(trustedCount(), 0)
  assert.equal((await asCert('alice', 'GET', '/1.0')).body.metadata instanceof Object, true)
  const right = await asCert('alice', 'POST', '/1.0/certificates', {
    type: 'client',
    password: 'hunter2-correct',
  })
  assert.equal(right.status, 201, JSON.stringify(right.body))
  assert.equal(trustedCount(), 1)
  const info = await asCert('alice', 'GET', '/1.0')
  assert.equal((info.body.metadata as { auth: string }).auth, 'trusted')
  const list = await ok<{ name: string; restricted: boolean }[]>(
    d.socket,
    'GET',
    '/1.0/certificates?recursion=1',
  )
  assert.deepEqual(
    list.map((c) => [c.name, c.restricted]),
    [['alice', false]],
    'named after its CN',
  )
  // Trusted now: the same request adds nothing more (it is no longer a password redemption).
  await asCert('alice', 'POST', '/1.0/certificates', { type: 'client', password: 'hunter2-correct' })
  assert.equal(trustedCount(), 1)
})

test('the password may ask for a restricted certificate, as in LXD; the restriction holds', async () => {
  await ok(d.socket, 'POST', '/1.0/projects', { body: { name: 'pwp', config: { restricted: 'true' } } })
  const res = await asCert('tenant', 'POST', '/1.0/certificates', {
    type: 'client',
    name: 'tenant',
    restricted: true,
    projects: ['pwp'],
    password: 'hunter2-correct',
  })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  assert.equal((await asCert('tenant', 'GET', '/1.0/instances')).status, 403)
  // A restricted certificate cannot read or change the password.
  const server = await asCert('tenant', 'GET', '/1.0')
  assert.deepEqual((server.body.metadata as { config: unknown }).config, {})
  const put = await asCert('tenant', 'PATCH', '/1.0', { config: { 'core.trust_password': 'mine' } })
  assert.equal(put.status, 403)
  assert.match(storedPassword() ?? '', /^scrypt:/)
})

test('guesses are limited per source address: after five a minute, 429 before any hash is computed', async () => {
  const before = trustedCount()
  const statuses: number[] = []
  for (let i = 0; i < 7; i++)
    statuses.push(
      (await asCert('guesser', 'POST', '/1.0/certificates', { type: 'client', password: `guess${i}` }))
        .status,
    )
  assert.deepEqual(statuses.slice(0, 2), [403, 403])
  assert.equal(statuses[statuses.length - 1], 429)
  // The limit holds even for the right password, from that address, until the window passes.
  const right = await asCert('guesser', 'POST', '/1.0/certificates', {
    type: 'client',
    password: 'hunter2-correct',
  })
  assert.equal(right.status, 429)
  assert.equal(trustedCount(), before)
})

test('unsetting it closes the door again', async () => {
  await ok(d.socket, 'PATCH', '/1.0', { body: { config: { 'core.trust_password': '' } } })
  assert.equal(storedPassword(), undefined)
  const server = await ok<{ config: Record<string, unknown> }>(d.socket, 'GET', '/1.0')
  assert.equal(server.config['core.trust_password'], undefined)
  const res = await asCert('bob', 'POST', '/1.0/certificates', {
    type: 'client',
    password: 'hunter2-correct',
  })
  assert.equal(res.status, 403)
})

test('an image secret lets an untrusted caller read its private image until it expires', async () => {
  // Not an upload: a row is enough for the secret check, and GET /1.0/images/FP reads only the row.
  const fp = 'a'.repeat(64)
  d.daemon.state.db
    .prepare(
      "INSERT INTO images (project_id, fingerprint, uploaded_at) SELECT id, ?, '2024-01-01T00:00:00Z' FROM projects WHERE name = 'default'",
    )
    .run(fp)
  const requestor = { username: 'test', protocol: 'unix', address: '@' }
  const live = issueImageSecret(d.daemon.state, 'default', fp, requestor, 60_000)
  const short = issueImageSecret(d.daemon.state, 'default', fp, requestor, 100)
  const secretOf = (op: typeof live) => String(op.render().metadata?.secret)
  const asCarol = (secret: string) => asCert('carol', 'GET', `/1.0/images/${fp}?secret=${secret}`)
  assert.equal((await asCert('carol', 'GET', `/1.0/images/${fp}`)).status, 404)
  assert.equal((await asCarol(secretOf(live))).status, 200)
  await new Promise((r) => setTimeout(r, 250))
  const expired = await asCarol(secretOf(short))
  assert.equal(expired.status, 404, 'an expired secret is refused')
  assert.equal(short.done, true, 'and its operation has ended')
  assert.equal((await asCarol(secretOf(live))).status, 200)
  await live.cancel()
})
