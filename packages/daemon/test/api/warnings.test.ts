/** @module API tier: the warnings API and the audit endpoint: shapes, bad input, and admin-only access over TLS. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { AuditFinding, Warning } from '@corral/api'
import { call, ok } from '../helpers/http.js'
import type { TestDaemon } from '../helpers/test-daemon.js'
import { startTlsDaemon, stopTlsDaemon } from '../helpers/tls-daemon.js'
import { makeCert, tlsCall, type ClientCert } from '../helpers/tls.js'

let d: TestDaemon
let work = ''
let port = 0
let tenant: ClientCert
let tenantFp = ''

const audit = () => ok<AuditFinding[]>(d.socket, 'GET', '/1.0/security/audit')
const warnings = () => ok<Warning[]>(d.socket, 'GET', '/1.0/warnings?recursion=1')
const warningOf = async (type: string) => (await warnings()).find((w) => w.type === type)

before(async () => {
  ;({ d, work, port } = await startTlsDaemon('corral-warnings-'))
  tenant = makeCert(work, 'tenant')
  await ok(d.socket, 'POST', '/1.0/projects', { body: { name: 'p1' } })
  const res = await call(d.socket, 'POST', '/1.0/certificates', {
    body: { name: 'tenant', type: 'client', certificate: tenant.cert, restricted: true, projects: ['p1'] },
  })
  assert.equal(res.status, 201)
  tenantFp = String(res.headers.location).split('/').pop()!
})

after(() => stopTlsDaemon(d, work))

test('a certificate restricted to an unrestricted project is a high finding and a warning of the same entity', async () => {
  const found = (await audit()).filter((f) => f.id === 'restricted-cert-unrestricted-project')
  assert.equal(found.length, 1)
  assert.deepEqual(Object.keys(found[0]!).sort(), ['fix', 'id', 'message', 'severity', 'subject'])
  assert.equal(found[0]!.severity, 'high')
  assert.equal(found[0]!.subject, `/1.0/certificates/${tenantFp}`)
  assert.equal(found[0]!.fix, 'corral project set p1 restricted=true')
  const w = await warningOf('security: restricted-cert-unrestricted-project')
  assert.ok(w, 'warning raised')
  assert.equal(w.severity, 'high')
  assert.equal(w.status, 'new')
  assert.equal(w.entity_url, `/1.0/certificates/${tenantFp}`)
  assert.equal(w.project, '')
  assert.equal(w.location, 'none')
  assert.equal(w.count, 1)
  assert.equal(w.last_message, found[0]!.message)
  // A second evaluation with nothing changed writes nothing.
  await audit()
  assert.deepEqual(await warningOf(w.type), w)
})

test('GET /1.0/warnings lists URLs, structs, one project, and honours filter=', async () => {
  const urls = await ok<string[]>(d.socket, 'GET', '/1.0/warnings')
  const all = await warnings()
  assert.deepEqual(
    urls,
    all.map((w) => `/1.0/warnings/${w.uuid}`),
  )
  assert.deepEqual(await ok(d.socket, 'GET', '/1.0/warnings?recursion=1&project=p1'), [])
  assert.equal(
    (await ok<Warning[]>(d.socket, 'GET', '/1.0/warnings?recursion=1&all-projects=true')).length,
    all.length,
  )
  const high = await ok<Warning[]>(
    d.socket,
    'GET',
    `/1.0/warnings?recursion=1&filter=${encodeURIComponent('severity eq high')}`,
  )
  assert.ok(high.length >= 1 && high.every((w) => w.severity === 'high'))
  const one = await ok<Warning>(d.socket, 'GET', `/1.0/warnings/${all[0]!.uuid}`)
  assert.deepEqual(one, all[0])
})

test('bad input: an unknown uuid is 404, an unknown status 400, resolved 403; nothing changes', async () => {
  const w = (await warningOf('security: restricted-cert-unrestricted-project'))!
  for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
    const res = await call(d.socket, method, '/1.0/warnings/00000000-0000-0000-0000-000000000000', {
      ...(method === 'PUT' || method === 'PATCH' ? { body: { status: 'acknowledged' } } : {}),
    })
    assert.equal(res.status, 404, method)
    assert.deepEqual(res.body, {
      type: 'error',
      status: '',
      status_code: 0,
      operation: '',
      error_code: 404,
      error: 'Warning not found',
      metadata: null,
    })
  }
  const cases: [unknown, number, RegExp][] = [
    [{ status: 'bogus' }, 400, /^Invalid warning type "bogus"$/],
    [{ status: 5 }, 400, /"status": must be a string/],
    [{}, 400, /^Invalid warning type ""$/],
    [[], 400, /must be a JSON object/],
    [{ status: 'resolved' }, 403, /may only be set to "acknowledge" or "new"/],
  ]
  for (const [body, status, message] of cases) {
    const res = await call(d.socket, 'PUT', `/1.0/warnings/${w.uuid}`, { body })
    assert.equal(res.status, status, JSON.stringify(body))
    assert.match(String(res.body.error), message)
  }
  assert.deepEqual(await warningOf(w.type), w)
})

test('acknowledge, reset and delete; a deleted warning comes back while its cause remains', async () => {
  const w = (await warningOf('security: restricted-cert-unrestricted-project'))!
  await ok(d.socket, 'PUT', `/1.0/warnings/${w.uuid}`, { body: { status: 'acknowledged' } })
  assert.equal((await warningOf(w.type))!.status, 'acknowledged')
  // Still seen: an acknowledged warning stays acknowledged.
  await audit()
  assert.equal((await warningOf(w.type))!.status, 'acknowledged')
  await ok(d.socket, 'PATCH', `/1.0/warnings/${w.uuid}`, { body: { status: 'new' } })
  assert.equal((await warningOf(w.type))!.status, 'new')
  await ok(d.socket, 'DELETE', `/1.0/warnings/${w.uuid}`)
  assert.equal((await call(d.socket, 'GET', `/1.0/warnings/${w.uuid}`)).status, 404)
  await audit()
  const again = (await warningOf(w.type))!
  assert.notEqual(again.uuid, w.uuid)
  assert.equal(again.status, 'new')
})

test('a restricted certificate gets 403 on every warnings endpoint and on the audit', async () => {
  const uuid = (await warnings())[0]!.uuid
  const before = await warnings()
  const paths: [string, string, unknown?][] = [
    ['GET', '/1.0/warnings'],
    ['GET', '/1.0/warnings?recursion=1&project=p1'],
    ['GET', `/1.0/warnings/${uuid}`],
    ['PUT', `/1.0/warnings/${uuid}`, { status: 'acknowledged' }],
    ['PATCH', `/1.0/warnings/${uuid}`, { status: 'acknowledged' }],
    ['DELETE', `/1.0/warnings/${uuid}`],
    ['GET', '/1.0/security/audit'],
    ['GET', '/1.0/security/audit?project=p1'],
  ]
  for (const [method, path, body] of paths) {
    const res = await tlsCall({ port, who: tenant }, method, path, body)
    assert.equal(res.status, 403, `${method} ${path}`)
  }
  assert.deepEqual(await warnings(), before)
  const untrusted = await tlsCall({ port }, 'GET', '/1.0/warnings')
  assert.equal(untrusted.status, 403)
})

test('applying the fix removes the finding and resolves its warning; seen again, it is new with count 2', async () => {
  const type = 'security: restricted-cert-unrestricted-project'
  await ok(d.socket, 'PATCH', '/1.0/projects/p1', { body: { config: { restricted: 'true' } } })
  assert.equal((await audit()).filter((f) => f.id === 'restricted-cert-unrestricted-project').length, 0)
  const resolved = (await warningOf(type))!
  assert.equal(resolved.status, 'resolved')
  await ok(d.socket, 'PATCH', '/1.0/projects/p1', { body: { config: { restricted: 'false' } } })
  await audit()
  const back = (await warningOf(type))!
  assert.equal(back.uuid, resolved.uuid)
  assert.equal(back.status, 'new')
  assert.equal(back.count, 2)
})

test('GET /1.0 advertises warnings and corral_security_audit', async () => {
  const server = await ok<{ api_extensions: string[] }>(d.socket, 'GET', '/1.0')
  assert.ok(server.api_extensions.includes('warnings'))
  assert.equal(server.api_extensions.at(-1), 'corral_security_audit')
})
