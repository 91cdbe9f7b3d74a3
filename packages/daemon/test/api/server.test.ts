/** @module API tier: GET / and GET/PUT/PATCH /1.0. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { apiExtensions } from '@corral/api'
import { call, ok } from '../helpers/http.js'
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js'
import { release } from '../../src/index.js'

let d: TestDaemon
before(async () => (d = await startTestDaemon()))
after(async () => d.close())

test('GET / lists /1.0', async () => {
  assert.deepEqual(await ok(d.socket, 'GET', '/'), ['/1.0'])
})

test('GET /1.0 over the socket is the trusted view with the caller, version and release kind', async () => {
  const res = await call(d.socket, 'GET', '/1.0')
  assert.equal(res.status, 200)
  assert.match(String(res.headers.etag), /^"[0-9a-f]{64}"$/)
  const m = res.body.metadata as Record<string, unknown> & { environment: Record<string, unknown> }
  assert.equal(m.auth, 'trusted')
  assert.equal(m.auth_user_method, 'unix')
  assert.equal(m.auth_user_name, process.getuid?.() === 0 ? 'root' : String(m.auth_user_name))
  assert.deepEqual(m.api_extensions, [...apiExtensions])
  assert.equal(m.api_version, '1.0')
  assert.equal(m.environment.server_version, release.version)
  assert.equal(m.environment.server_lts, release.kind === 'lts')
  assert.equal(m.environment.server_pid, process.pid)
  assert.equal(m.environment.driver, 'lxc')
  assert.equal(m.environment.project, 'default')
  assert.ok(Array.isArray(m.environment.architectures))
})

test('PUT /1.0 sets declared keys; PATCH merges; an empty value unsets', async () => {
  await ok(d.socket, 'PUT', '/1.0', { body: { config: { 'core.shutdown_timeout': '2' } } })
  let m = await ok<{ config: Record<string, string> }>(d.socket, 'GET', '/1.0')
  assert.deepEqual(m.config, { 'core.shutdown_timeout': '2' })
  await ok(d.socket, 'PATCH', '/1.0', { body: { config: {} } })
  m = await ok(d.socket, 'GET', '/1.0')
  assert.deepEqual(m.config, { 'core.shutdown_timeout': '2' }, 'PATCH keeps what it does not name')
  await ok(d.socket, 'PATCH', '/1.0', { body: { config: { 'core.shutdown_timeout': '' } } })
  m = await ok(d.socket, 'GET', '/1.0')
  assert.deepEqual(m.config, {})
})

test('keys the daemon does not act on yet are refused, not stored', async () => {
  const res = await call(d.socket, 'PUT', '/1.0', {
    body: { config: { 'core.proxy_http': 'http://127.0.0.1:9' } },
  })
  assert.equal(res.status, 400)
  assert.equal(res.body.error, 'Cannot set "core.proxy_http": Unknown key')
})

test('PUT /1.0 refuses unknown keys and bad values with 400 and keeps the old config', async () => {
  const before = await ok(d.socket, 'GET', '/1.0')
  const unknown = await call(d.socket, 'PUT', '/1.0', { body: { config: { 'core.bogus': '1' } } })
  assert.equal(unknown.status, 400)
  assert.equal(unknown.body.error, 'Cannot set "core.bogus": Unknown key')
  const bad = await call(d.socket, 'PATCH', '/1.0', { body: { config: { 'core.shutdown_timeout': 'ten' } } })
  assert.equal(bad.status, 400)
  assert.match(String(bad.body.error), /^Cannot set "core.shutdown_timeout" to "ten": /)
  assert.deepEqual(await ok(d.socket, 'GET', '/1.0'), before)
})

test('PUT /1.0 with a stale If-Match is 412', async () => {
  const res = await call(d.socket, 'PUT', '/1.0', { body: { config: {} }, headers: { 'If-Match': '"x"' } })
  assert.equal(res.status, 412)
})

test('the socket takes a client that sends an Origin (ws4py does): only browsers are checked, over TLS', async () => {
  const res = await call(d.socket, 'PATCH', '/1.0', {
    body: { config: {} },
    headers: { Origin: 'http://localhost', 'Sec-Fetch-Site': 'cross-site' },
  })
  assert.equal(res.status, 200, JSON.stringify(res.body))
})
