/** @module API tier: storage pool CRUD, used_by, bad input that changes nothing, lifecycle events. */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Event, EventLifecycle } from '@corral/api'
import { createProfile } from '../../src/db/profiles.js'
import { loadPool } from '../../src/storage/index.js'
import { unavailablePools } from '../../src/storage/pool.js'
import { call, ok } from '../helpers/http.js'
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js'

let d: TestDaemon
const events: Event[] = []
before(async () => {
  d = await startTestDaemon()
  d.daemon.state.events.subscribe({
    types: new Set(['lifecycle']),
    project: undefined,
    send: (e) => events.push(e),
  })
})
after(async () => d.close())

const poolsDir = () => join(d.dir, 'storage-pools')
const poolNames = async () => ok<string[]>(d.socket, 'GET', '/1.0/storage-pools')
const actions = () => events.map((e) => (e.metadata as EventLifecycle).action)

/** Asserts a request fails with status and message and leaves the pool list and disk as they were. */
async function refused(method: string, path: string, body: unknown, status: number, error: string | RegExp) {
  const before = await poolNames()
  const onDisk = existsSync(poolsDir()) ? readdirSync(poolsDir()) : []
  const res = await call(d.socket, method, path, { body })
  assert.equal(res.status, status, String(res.body.error))
  if (typeof error === 'string') assert.equal(res.body.error, error)
  else assert.match(String(res.body.error), error)
  assert.deepEqual(await poolNames(), before)
  assert.deepEqual(existsSync(poolsDir()) ? readdirSync(poolsDir()) : [], onDisk)
}

test('GET /1.0/storage-pools is empty on a fresh daemon', async () => {
  assert.deepEqual(await poolNames(), [])
  assert.deepEqual(await ok(d.socket, 'GET', '/1.0/storage-pools?recursion=1'), [])
})

test('POST creates a dir pool (201, Location) and GET returns it as LXD does, with an ETag', async () => {
  const res = await call(d.socket, 'POST', '/1.0/storage-pools', {
    body: { name: 'p1', driver: 'dir', description: 'First', config: {} },
  })
  assert.equal(res.status, 201, String(res.body.error))
  assert.equal(res.headers.location, '/1.0/storage-pools/p1')
  const got = await call(d.socket, 'GET', '/1.0/storage-pools/p1')
  assert.deepEqual(got.body.metadata, {
    name: 'p1',
    driver: 'dir',
    description: 'First',
    config: { source: join(d.dir, 'storage-pools/p1') },
    used_by: [],
    status: 'Created',
    locations: ['none'],
  })
  assert.match(String(got.headers.etag), /^"[0-9a-f]{64}"$/)
  assert.deepEqual(readdirSync(join(poolsDir(), 'p1')).sort(), [
    'containers',
    'containers-snapshots',
    'images',
  ])
  assert.deepEqual(await poolNames(), ['/1.0/storage-pools/p1'])
  assert.ok(actions().includes('storage-pool-created'))
})

test('bad create requests get 400/409 and change nothing on disk or in the database', async () => {
  const post = (body: unknown, status: number, error: string | RegExp) =>
    refused('POST', '/1.0/storage-pools', body, status, error)
  await post({ name: 'x', driver: 'zfs9' }, 400, 'Storage pool driver "zfs9" is not supported')
  await post({ name: 'x', driver: 'dir', config: { foo: 'bar' } }, 400, 'Invalid option "foo"')
  await post(
    { name: 'x', driver: 'btrfs', config: { size: 'big' } },
    400,
    /^Invalid value for option "size": /,
  )
  await post({ name: 'x', driver: 'btrfs', config: { size: '1MiB' } }, 400, /at least 128MiB/)
  await post(
    { name: 'x', driver: 'dir', config: { source: 'relative' } },
    400,
    /^Invalid value for option "source"/,
  )
  await post({ name: 'p1', driver: 'dir' }, 409, 'The storage pool already exists')
  await post({ name: 'a/b', driver: 'dir' }, 400, 'Storage pool names may not contain slashes')
  await post({ name: 'x' }, 400, 'No driver provided')
  await post({ driver: 'dir' }, 400, 'No name provided')
  await post(
    { name: 'x', driver: 'dir', config: { source: '/nonexistent-corral-dir' } },
    400,
    /isn't a directory/,
  )
})

test('a dir pool on an existing non-empty directory is refused; on an empty one it is bind-mounted', async () => {
  const src = mkdtempSync(join(tmpdir(), 'corral-api-src-'))
  try {
    writeFileSync(join(src, 'file'), 'x')
    await refused(
      'POST',
      '/1.0/storage-pools',
      { name: 'ps', driver: 'dir', config: { source: src } },
      400,
      /isn't empty/,
    )
    rmSync(join(src, 'file'))
    await ok(d.socket, 'POST', '/1.0/storage-pools', {
      body: { name: 'ps', driver: 'dir', config: { source: src } },
    })
    assert.deepEqual(readdirSync(src).sort(), ['containers', 'containers-snapshots', 'images'])
    await ok(d.socket, 'DELETE', '/1.0/storage-pools/ps')
    assert.deepEqual(readdirSync(src), [])
    assert.equal(existsSync(join(poolsDir(), 'ps')), false)
  } finally {
    rmSync(src, { recursive: true, force: true })
  }
})

test('PUT replaces the description, PATCH keeps what it does not name, source cannot change', async () => {
  await ok(d.socket, 'PUT', '/1.0/storage-pools/p1', { body: { description: 'Put', config: {} } })
  let p = await ok<{ description: string; config: Record<string, string> }>(
    d.socket,
    'GET',
    '/1.0/storage-pools/p1',
  )
  assert.equal(p.description, 'Put')
  assert.equal(p.config.source, join(d.dir, 'storage-pools/p1'))
  await ok(d.socket, 'PATCH', '/1.0/storage-pools/p1', { body: { config: {} } })
  p = await ok(d.socket, 'GET', '/1.0/storage-pools/p1')
  assert.equal(p.description, 'Put')
  await refused(
    'PUT',
    '/1.0/storage-pools/p1',
    { config: { source: '/tmp' } },
    400,
    'Cannot change "source" of an existing storage pool',
  )
  await refused('PATCH', '/1.0/storage-pools/p1', { config: { nope: '1' } }, 400, 'Invalid option "nope"')
  const stale = await call(d.socket, 'PUT', '/1.0/storage-pools/p1', {
    body: { description: 'x', config: {} },
    headers: { 'If-Match': '"0000"' },
  })
  assert.equal(stale.status, 412)
  assert.ok(actions().includes('storage-pool-updated'))
})

test('used_by lists instances and profiles whose root disk is on the pool; DELETE is refused while used', async () => {
  const db = d.daemon.state.db
  createProfile(db, 'default', 'rooted', {
    description: '',
    config: {},
    devices: { root: { type: 'disk', path: '/', pool: 'p1' } },
  })
  db.prepare("INSERT INTO projects (name) VALUES ('proj')").run()
  db.prepare(
    "INSERT INTO instances (project_id, name, architecture, pool, created_at) VALUES ((SELECT id FROM projects WHERE name = 'proj'), 'c1', 'x86_64', 'p1', '')",
  ).run()
  const p = await ok<{ used_by: string[] }>(d.socket, 'GET', '/1.0/storage-pools/p1')
  assert.deepEqual(p.used_by, ['/1.0/instances/c1?project=proj', '/1.0/profiles/rooted'])
  await refused('DELETE', '/1.0/storage-pools/p1', undefined, 400, 'The storage pool is currently in use')
  assert.ok(existsSync(join(poolsDir(), 'p1/containers')))
  db.prepare("DELETE FROM instances WHERE name = 'c1'").run()
  db.prepare("DELETE FROM profiles WHERE name = 'rooted'").run()
})

test('GET /resources reports the space and inodes of the pool', async () => {
  const r = await ok<{ space: { total: number; used: number }; inodes: { total: number } }>(
    d.socket,
    'GET',
    '/1.0/storage-pools/p1/resources',
  )
  assert.ok(r.space.total > 0 && r.space.used <= r.space.total)
})

test('loadPool() finds a pool, 404s an unknown one and 503s one that could not be mounted', () => {
  const state = d.daemon.state
  const pool = loadPool(state, 'p1')
  assert.equal(pool.instancePath('proj', 'c1'), join(poolsDir(), 'p1/containers/proj_c1'))
  assert.throws(() => loadPool(state, 'nope'), { status: 404, message: 'Storage pool not found' })
  unavailablePools(state).add('p1')
  try {
    assert.throws(() => loadPool(state, 'p1'), { status: 503 })
  } finally {
    unavailablePools(state).delete('p1')
  }
})

test('DELETE removes an unused pool, its directory and its row; then 404', async () => {
  await ok(d.socket, 'DELETE', '/1.0/storage-pools/p1')
  assert.equal(existsSync(join(poolsDir(), 'p1')), false)
  assert.deepEqual(await poolNames(), [])
  const gone = await call(d.socket, 'GET', '/1.0/storage-pools/p1')
  assert.equal(gone.status, 404)
  assert.equal(gone.body.error, 'Storage pool not found')
  assert.ok(actions().includes('storage-pool-deleted'))
})
