/** @module API tier: profile CRUD, ETags, PATCH, rename and project scoping. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { call, ok } from '../helpers/http.js'
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js'

let d: TestDaemon
before(async () => (d = await startTestDaemon()))
after(async () => d.close())

test('GET /1.0/profiles lists the default profile by URL, and objects with recursion=1', async () => {
  assert.deepEqual(await ok(d.socket, 'GET', '/1.0/profiles'), ['/1.0/profiles/default'])
  const full = await ok<{ name: string; used_by: unknown[] }[]>(d.socket, 'GET', '/1.0/profiles?recursion=1')
  assert.equal(full[0]?.name, 'default')
  assert.deepEqual(full[0]?.used_by, [])
})

test('POST /1.0/profiles answers 201 with Location, and GET returns the profile with an ETag', async () => {
  const res = await call(d.socket, 'POST', '/1.0/profiles', {
    body: {
      name: 'web',
      description: 'Web',
      config: { 'limits.cpu': '2' },
      devices: { x: { type: 'none' } },
    },
  })
  assert.equal(res.status, 201)
  assert.equal(res.headers.location, '/1.0/profiles/web')
  assert.deepEqual(res.body, {
    type: 'sync',
    status: 'Success',
    status_code: 200,
    operation: '',
    error_code: 0,
    error: '',
    metadata: {},
  })
  const got = await call(d.socket, 'GET', '/1.0/profiles/web')
  assert.match(String(got.headers.etag), /^"[0-9a-f]{64}"$/)
  assert.deepEqual(got.body.metadata, {
    name: 'web',
    description: 'Web',
    config: { 'limits.cpu': '2' },
    devices: { x: { type: 'none' } },
    used_by: [],
  })
})

test('PUT with a stale If-Match is refused with 412 and changes nothing; the current ETag succeeds', async () => {
  const before = await call(d.socket, 'GET', '/1.0/profiles/web')
  const stale = await call(d.socket, 'PUT', '/1.0/profiles/web', {
    body: { config: { 'limits.cpu': '4' } },
    headers: { 'If-Match': '"0000"' },
  })
  assert.equal(stale.status, 412)
  assert.equal(stale.body.error_code, 412)
  assert.deepEqual((await call(d.socket, 'GET', '/1.0/profiles/web')).body, before.body)
  await ok(d.socket, 'PUT', '/1.0/profiles/web', {
    body: { config: { 'limits.cpu': '4' }, description: 'Web2' },
    headers: { 'If-Match': String(before.headers.etag) },
  })
  const after = await ok<{ config: unknown; devices: unknown; description: string }>(
    d.socket,
    'GET',
    '/1.0/profiles/web',
  )
  assert.deepEqual(after.config, { 'limits.cpu': '4' })
  assert.deepEqual(after.devices, {}, 'PUT replaces devices too')
  assert.equal(after.description, 'Web2')
})

test('PATCH merges config and keeps what it does not name', async () => {
  await ok(d.socket, 'PATCH', '/1.0/profiles/web', { body: { config: { 'limits.memory': '1GiB' } } })
  const p = await ok<{ config: unknown; description: string }>(d.socket, 'GET', '/1.0/profiles/web')
  assert.deepEqual(p.config, { 'limits.cpu': '4', 'limits.memory': '1GiB' })
  assert.equal(p.description, 'Web2')
})

test('POST /1.0/profiles/{name} renames; the old name is then 404', async () => {
  const res = await call(d.socket, 'POST', '/1.0/profiles/web', { body: { name: 'www' } })
  assert.equal(res.status, 201)
  assert.equal(res.headers.location, '/1.0/profiles/www')
  const gone = await call(d.socket, 'GET', '/1.0/profiles/web')
  assert.equal(gone.status, 404)
  assert.equal(gone.body.error, 'Profile not found')
})

test('the default profile cannot be renamed or deleted; a duplicate name is 409', async () => {
  const rename = await call(d.socket, 'POST', '/1.0/profiles/default', { body: { name: 'x' } })
  assert.equal(rename.status, 400)
  assert.equal(rename.body.error, 'The "default" profile cannot be renamed')
  const del = await call(d.socket, 'DELETE', '/1.0/profiles/default')
  assert.equal(del.body.error, 'The "default" profile cannot be deleted')
  const dup = await call(d.socket, 'POST', '/1.0/profiles', { body: { name: 'www' } })
  assert.equal(dup.status, 409)
})

test('DELETE removes a profile', async () => {
  await ok(d.socket, 'DELETE', '/1.0/profiles/www')
  assert.deepEqual(await ok(d.socket, 'GET', '/1.0/profiles'), ['/1.0/profiles/default'])
})

test('a project with features.profiles has its own default profile, addressed with ?project=', async () => {
  await ok(d.socket, 'POST', '/1.0/projects', { body: { name: 'team', description: 'Team' } })
  assert.deepEqual(await ok(d.socket, 'GET', '/1.0/profiles?project=team'), [
    '/1.0/profiles/default?project=team',
  ])
  await ok(d.socket, 'POST', '/1.0/profiles?project=team', { body: { name: 'only-team' } })
  assert.deepEqual(await ok(d.socket, 'GET', '/1.0/profiles'), ['/1.0/profiles/default'])
  const project = await ok<{ used_by: string[]; config: Record<string, string> }>(
    d.socket,
    'GET',
    '/1.0/projects/team',
  )
  assert.deepEqual(project.used_by, [
    '/1.0/profiles/default?project=team',
    '/1.0/profiles/only-team?project=team',
  ])
  assert.equal(project.config['features.profiles'], 'true')
})

test('a project without features.profiles uses the default project profiles', async () => {
  await ok(d.socket, 'POST', '/1.0/projects', {
    body: { name: 'shared', config: { 'features.profiles': 'false' } },
  })
  assert.deepEqual(await ok(d.socket, 'GET', '/1.0/profiles?project=shared'), ['/1.0/profiles/default'])
})

test('an empty value in PUT or PATCH unsets the key, in config and device options', async () => {
  await ok(d.socket, 'POST', '/1.0/profiles', {
    body: {
      name: 'unset',
      config: { 'user.a': '1', 'user.b': '2' },
      devices: { m: { type: 'none', 'user.x': 'y' } },
    },
  })
  await ok(d.socket, 'PATCH', '/1.0/profiles/unset', { body: { config: { 'user.a': '' } } })
  await ok(d.socket, 'PATCH', '/1.0/profiles/unset', {
    body: { devices: { m: { type: 'none', 'user.x': '' } } },
  })
  const p = await ok<{ config: unknown; devices: unknown }>(d.socket, 'GET', '/1.0/profiles/unset')
  assert.deepEqual(p.config, { 'user.b': '2' })
  assert.deepEqual(p.devices, { m: { type: 'none' } })
})
