/** @module API tier: projects. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { call, ok } from '../helpers/http.js'
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js'

let d: TestDaemon
before(async () => (d = await startTestDaemon()))
after(async () => d.close())

test('GET /1.0/projects lists default; recursion=1 shows its config and used_by', async () => {
  assert.deepEqual(await ok(d.socket, 'GET', '/1.0/projects'), ['/1.0/projects/default'])
  const [p] = await ok<{ name: string; used_by: string[]; config: Record<string, string> }[]>(
    d.socket,
    'GET',
    '/1.0/projects?recursion=1',
  )
  assert.equal(p?.name, 'default')
  assert.deepEqual(p?.used_by, ['/1.0/profiles/default'])
  assert.equal(p?.config['features.profiles'], 'true')
})

test('projects are created, updated with ETags, renamed and deleted', async () => {
  const res = await call(d.socket, 'POST', '/1.0/projects', {
    body: { name: 'a', config: { 'user.x': '1' } },
  })
  assert.equal(res.status, 201)
  const got = await call(d.socket, 'GET', '/1.0/projects/a')
  assert.deepEqual(
    (got.body.metadata as { config: unknown }).config,
    {
      'features.images': 'true',
      'features.profiles': 'true',
      'features.storage.volumes': 'true',
      'user.x': '1',
    },
    'a project created without features gets the feature defaults',
  )
  const stale = await call(d.socket, 'PUT', '/1.0/projects/a', {
    body: { config: {} },
    headers: { 'If-Match': 'nope' },
  })
  assert.equal(stale.status, 412)
  await ok(d.socket, 'PATCH', '/1.0/projects/a', { body: { description: 'A' } })
  assert.equal((await ok<{ description: string }>(d.socket, 'GET', '/1.0/projects/a')).description, 'A')
  assert.equal((await call(d.socket, 'POST', '/1.0/projects/a', { body: { name: 'b' } })).status, 201)
  await ok(d.socket, 'DELETE', '/1.0/projects/b')
  assert.equal((await call(d.socket, 'GET', '/1.0/projects/b')).status, 404)
})

test('the default project cannot be renamed or deleted', async () => {
  assert.equal(
    (await call(d.socket, 'DELETE', '/1.0/projects/default')).body.error,
    "The 'default' project cannot be deleted",
  )
  assert.equal((await call(d.socket, 'POST', '/1.0/projects/default', { body: { name: 'x' } })).status, 400)
})

test('a project holding profiles besides its default one cannot be deleted', async () => {
  await ok(d.socket, 'POST', '/1.0/projects', { body: { name: 'busy' } })
  await ok(d.socket, 'POST', '/1.0/profiles?project=busy', { body: { name: 'extra' } })
  const res = await call(d.socket, 'DELETE', '/1.0/projects/busy')
  assert.equal(res.status, 400)
  assert.equal(res.body.error, 'Only empty projects can be removed')
})

test('an empty value in a project PUT unsets the key', async () => {
  await ok(d.socket, 'POST', '/1.0/projects', {
    body: { name: 'unset', config: { 'user.z': '1', 'features.profiles': 'false' } },
  })
  await ok(d.socket, 'PUT', '/1.0/projects/unset', {
    body: { config: { 'user.z': '', 'features.profiles': 'false' } },
  })
  assert.deepEqual((await ok<{ config: unknown }>(d.socket, 'GET', '/1.0/projects/unset')).config, {
    'features.profiles': 'false',
  })
})
