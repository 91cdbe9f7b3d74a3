/** @module API tier: instances on real LXC: bad input changes nothing, lifecycle rules, snapshots, ETags. */
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Instance, InstanceFull } from '@corral/api'
import { call, ok, type CallOptions } from '../helpers/http.js'
import {
  instanceSkipReason,
  startInstanceFixture,
  waitOp,
  type InstanceFixture,
} from '../helpers/instance-fixture.js'

const skip = instanceSkipReason()
if (skip) console.log(`# skipping instance API tests: ${skip}`)
let f: InstanceFixture
const sock = () => f.d.socket
const volumes = () => join(f.d.dir, 'storage-pools', 'default', 'containers')

before(async () => {
  if (!skip) f = await startInstanceFixture()
})
after(async () => {
  if (!skip) await f.close()
})

/** Sends a request that answers with an operation and returns the finished operation. */
async function op(method: string, path: string, opts: CallOptions = {}) {
  const res = await call(sock(), method, path, opts)
  assert.equal(res.status, 202, `${method} ${path}: ${String(res.body.error)}`)
  return waitOp(f.d, String(res.body.operation))
}

function dump(): string {
  const db = f.d.daemon.state.db
  return JSON.stringify([
    db.prepare('SELECT * FROM instances').all(),
    db.prepare('SELECT * FROM instances_snapshots').all(),
  ])
}

const badCreates: [string, unknown, number, RegExp][] = [
  [
    'an invalid name',
    { name: 'bad_name', source: { type: 'image', alias: 'busybox' } },
    400,
    /Name can only contain alphanumeric and hyphen/,
  ],
  [
    'a name starting with a digit',
    { name: '1c', source: { type: 'image', alias: 'busybox' } },
    400,
    /must not start with a digit/,
  ],
  [
    'an unknown config key',
    { name: 'x1', source: { type: 'image', alias: 'busybox' }, config: { 'no.such': '1' } },
    400,
    /Unknown configuration key: no.such/,
  ],
  [
    'a bad limit',
    { name: 'x1', source: { type: 'image', alias: 'busybox' }, config: { 'limits.memory': 'lots' } },
    400,
    /limits.memory/,
  ],
  [
    'a wrong device type',
    { name: 'x1', source: { type: 'image', alias: 'busybox' }, devices: { d: { type: 'warp' } } },
    400,
    /Unsupported device type/,
  ],
  [
    'a disk without path',
    {
      name: 'x1',
      source: { type: 'image', alias: 'busybox' },
      devices: { d: { type: 'disk', source: '/tmp' } },
    },
    400,
    /missing the required "path"/,
  ],
  ['a missing image', { name: 'x1', source: { type: 'image', alias: 'nope' } }, 404, /Image not found/],
  [
    'a missing profile',
    { name: 'x1', source: { type: 'image', alias: 'busybox' }, profiles: ['default', 'nope'] },
    404,
    /Profile "nope" not found/,
  ],
  [
    'no root disk',
    { name: 'x1', source: { type: 'image', alias: 'busybox' }, profiles: [] },
    400,
    /No root device/,
  ],
  [
    'a virtual machine',
    { name: 'x1', type: 'virtual-machine', source: { type: 'image', alias: 'busybox' } },
    400,
    /only containers/,
  ],
  ['no source', { name: 'x1' }, 400, /source/],
  [
    'a simplestreams source',
    {
      name: 'x1',
      source: { type: 'image', alias: 'b', server: 'https://images.invalid', protocol: 'simplestreams' },
    },
    400,
    /"simplestreams" is not supported/,
  ],
]

for (const [what, body, status, message] of badCreates) {
  test(`POST /1.0/instances with ${what} → ${status}, nothing created`, { skip }, async () => {
    const before = dump()
    const res = await call(sock(), 'POST', '/1.0/instances', { body })
    let error = String(res.body.error)
    if (res.status === 202) {
      // Errors found while creating come back as a failed operation.
      const done = await waitOp(f.d, String(res.body.operation))
      assert.equal(done.status, 'Failure')
      error = done.err
    } else {
      assert.equal(res.status, status)
    }
    assert.match(error, message)
    assert.equal(dump(), before)
    assert.deepEqual(
      readdirSync(volumes()).filter((n) => n !== 'c1'),
      [],
    )
  })
}

test('an instance is created from an image alias with LXD fields and volatile keys', { skip }, async () => {
  const done = await op('POST', '/1.0/instances', {
    body: { name: 'c1', source: { type: 'image', alias: 'busybox' }, config: { 'user.note': 'hi' } },
  })
  assert.equal(done.status, 'Success', done.err)
  assert.deepEqual(done.resources, { instances: ['/1.0/instances/c1'] })
  assert.equal(
    done.metadata?.create_instance_from_image_unpack_progress,
    'Unpack: 100%',
    "progress in LXD's key",
  )
  const inst = await ok<Instance>(sock(), 'GET', '/1.0/instances/c1')
  assert.equal(inst.status, 'Stopped')
  assert.equal(inst.status_code, 102)
  assert.equal(inst.type, 'container')
  assert.deepEqual(inst.profiles, ['default'])
  assert.equal(inst.config['volatile.base_image'], f.fingerprint)
  assert.equal(inst.config['image.os'], 'busybox')
  assert.equal(inst.expanded_devices.root?.pool, 'default')
  assert.ok(existsSync(join(volumes(), 'c1', 'rootfs', 'bin', 'busybox')))
  const dup = await call(sock(), 'POST', '/1.0/instances', {
    body: { name: 'c1', source: { type: 'image', alias: 'busybox' } },
  })
  assert.equal(dup.status, 400)
})

test('start runs it; a second start and a stop of a stopped instance are refused', { skip }, async () => {
  const stopped = await call(sock(), 'PUT', '/1.0/instances/c1/state', {
    body: { action: 'stop', timeout: 30 },
  })
  assert.equal(stopped.status, 400)
  assert.equal(stopped.body.error, 'The instance is already stopped')
  assert.equal((await op('PUT', '/1.0/instances/c1/state', { body: { action: 'start' } })).status, 'Success')
  const again = await call(sock(), 'PUT', '/1.0/instances/c1/state', { body: { action: 'start' } })
  assert.equal(again.body.error, 'The instance is already running')
  const full = await ok<InstanceFull>(sock(), 'GET', '/1.0/instances/c1?recursion=2')
  assert.equal(full.status, 'Running')
  assert.ok(full.state.pid > 0)
  assert.ok(full.state.processes >= 1)
  assert.equal(full.config['volatile.last_state.power'], 'RUNNING')
  const list = await ok<string[]>(sock(), 'GET', '/1.0/instances?filter=status%20eq%20Running')
  assert.deepEqual(list, ['/1.0/instances/c1'])
})

test('a running instance cannot be deleted or renamed', { skip }, async () => {
  const before = dump()
  const del = await call(sock(), 'DELETE', '/1.0/instances/c1')
  assert.equal(del.status, 400)
  assert.equal(del.body.error, 'Instance is running')
  const rename = await op('POST', '/1.0/instances/c1', { body: { name: 'c2' } })
  assert.equal(rename.status, 'Failure')
  assert.match(rename.err, /Renaming of running instance not allowed/)
  assert.equal(dump(), before)
})

test('PUT with a stale ETag is 412; PATCH updates config and keeps volatile keys', { skip }, async () => {
  const stale = await call(sock(), 'PUT', '/1.0/instances/c1', {
    body: { config: {} },
    headers: { 'If-Match': '"x"' },
  })
  assert.equal(stale.status, 412)
  assert.equal(
    (
      await op('PATCH', '/1.0/instances/c1', {
        body: { config: { 'user.note': 'changed', 'volatile.uuid': 'forged' } },
      })
    ).status,
    'Success',
  )
  const inst = await ok<Instance>(sock(), 'GET', '/1.0/instances/c1')
  assert.equal(inst.config['user.note'], 'changed')
  assert.notEqual(inst.config['volatile.uuid'], 'forged')
  // Bad input is refused before any operation starts, with LXD's envelope.
  const bad = await call(sock(), 'PATCH', '/1.0/instances/c1', { body: { config: { 'limits.cpu': 'many' } } })
  assert.equal(bad.status, 400)
  assert.match(String(bad.body.error), /Invalid CPU limit syntax "many"/)
  assert.equal((await ok<Instance>(sock(), 'GET', '/1.0/instances/c1')).config['limits.cpu'], undefined)
})

test(
  'operations on one instance are serialised: stop then start issued together both succeed in order',
  { skip },
  async () => {
    const [a, b] = await Promise.all([
      call(sock(), 'PUT', '/1.0/instances/c1/state', { body: { action: 'stop', force: true } }),
      call(sock(), 'PUT', '/1.0/instances/c1/state', { body: { action: 'restart', force: true } }),
    ])
    const [opA, opB] = await Promise.all([
      waitOp(f.d, String(a.body.operation)),
      waitOp(f.d, String(b.body.operation)),
    ])
    assert.equal(opA.status, 'Success', opA.err)
    assert.equal(opB.status, 'Success', opB.err)
    assert.equal((await ok<Instance>(sock(), 'GET', '/1.0/instances/c1')).status, 'Running')
  },
)

test('a snapshot restores the files and config it captured', { skip }, async () => {
  assert.equal(
    (await op('PUT', '/1.0/instances/c1/state', { body: { action: 'stop', force: true } })).status,
    'Success',
  )
  const marker = join(volumes(), 'c1', 'rootfs', 'root', 'marker')
  writeFileSync(marker, 'before')
  assert.equal((await op('POST', '/1.0/instances/c1/snapshots', { body: { name: '' } })).status, 'Success')
  assert.deepEqual(await ok(sock(), 'GET', '/1.0/instances/c1/snapshots'), [
    '/1.0/instances/c1/snapshots/snap0',
  ])
  writeFileSync(marker, 'after')
  assert.equal(
    (await op('PATCH', '/1.0/instances/c1', { body: { config: { 'user.note': 'later' } } })).status,
    'Success',
  )
  assert.equal((await op('PUT', '/1.0/instances/c1', { body: { restore: 'snap0' } })).status, 'Success')
  assert.equal(readFileSync(marker, 'utf8'), 'before')
  assert.equal((await ok<Instance>(sock(), 'GET', '/1.0/instances/c1')).config['user.note'], 'changed')
  assert.equal(
    (await op('POST', '/1.0/instances/c1/snapshots/snap0', { body: { name: 'first' } })).status,
    'Success',
  )
  assert.equal((await op('DELETE', '/1.0/instances/c1/snapshots/first')).status, 'Success')
  assert.deepEqual(await ok(sock(), 'GET', '/1.0/instances/c1/snapshots'), [])
})

test('a stopped instance is renamed, then deleted with nothing left behind', { skip }, async () => {
  assert.equal((await op('POST', '/1.0/instances/c1', { body: { name: 'c2' } })).status, 'Success')
  assert.equal((await call(sock(), 'GET', '/1.0/instances/c1')).status, 404)
  assert.equal((await op('DELETE', '/1.0/instances/c2')).status, 'Success')
  assert.deepEqual(await ok(sock(), 'GET', '/1.0/instances'), [])
  assert.deepEqual(readdirSync(volumes()), [])
  assert.equal(existsSync(join(f.d.dir, 'containers', 'c2')), false)
})

test('renaming a profile in use renames it in its instances and their snapshots', { skip }, async () => {
  await ok(sock(), 'POST', '/1.0/profiles', { body: { name: 'extra', config: { 'user.from': 'extra' } } })
  const created = await op('POST', '/1.0/instances', {
    body: { name: 'pr1', source: { type: 'image', alias: 'busybox' }, profiles: ['default', 'extra'] },
  })
  assert.equal(created.status, 'Success', created.err)
  assert.equal((await op('POST', '/1.0/instances/pr1/snapshots', { body: { name: 's1' } })).status, 'Success')
  assert.equal((await call(sock(), 'POST', '/1.0/profiles/extra', { body: { name: 'renamed' } })).status, 201)
  const inst = await ok<Instance>(sock(), 'GET', '/1.0/instances/pr1')
  assert.deepEqual(inst.profiles, ['default', 'renamed'])
  assert.equal(inst.expanded_config['user.from'], 'extra')
  const snap = await ok<{ profiles: string[] }>(sock(), 'GET', '/1.0/instances/pr1/snapshots/s1')
  assert.deepEqual(snap.profiles, ['default', 'renamed'])
  // Every instance still expands: the daemon-wide view (recursion) answers.
  assert.equal((await call(sock(), 'GET', '/1.0/instances?recursion=1')).status, 200)
  assert.equal((await op('DELETE', '/1.0/instances/pr1')).status, 'Success')
  assert.equal((await call(sock(), 'DELETE', '/1.0/profiles/renamed')).status, 200)
})
