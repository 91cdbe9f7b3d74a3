/**
 * @module API tier: a device type added as docs/architecture.md says (one file,
 * test/fixtures/marker-device.ts, and one registry line, below) gets validation, start, stop and
 * live update on a real container with no other edit; teardown follows what start recorded.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { registerDeviceDriver } from '../../src/device/registry.js'
import { markerDevice } from '../fixtures/marker-device.js'
import { call, type CallOptions } from '../helpers/http.js'
import {
  instanceSkipReason,
  startInstanceFixture,
  waitOp,
  type InstanceFixture,
} from '../helpers/instance-fixture.js'

// The one line that adds the device type.
registerDeviceDriver(markerDevice)

const skip = instanceSkipReason()
if (skip) console.log(`# skipping the device contract test: ${skip}`)
let f: InstanceFixture
let dir = ''

before(async () => {
  if (skip) return
  f = await startInstanceFixture()
  dir = mkdtempSync(join(tmpdir(), 'corral-marker-'))
})
after(async () => {
  if (skip) return
  await f.close()
  rmSync(dir, { recursive: true, force: true })
})

async function op(method: string, path: string, opts: CallOptions = {}) {
  const res = await call(f.d.socket, method, path, opts)
  assert.equal(res.status, 202, `${method} ${path}: ${String(res.body.error)}`)
  const done = await waitOp(f.d, String(res.body.operation))
  assert.equal(done.status, 'Success', done.err)
}

test(
  'a test-only device type: validated, started, updated live, and stopped from what it recorded',
  { skip },
  async () => {
    const bad = await call(f.d.socket, 'POST', '/1.0/instances', {
      body: {
        name: 'm1',
        source: { type: 'image', alias: 'busybox' },
        devices: { mark: { type: 'test-marker', dir: 'relative' } },
      },
    })
    assert.equal(bad.status, 400)
    assert.match(
      String(bad.body.error),
      /Device validation failed for "mark": "dir" must be an absolute path/,
    )
    const unknown = await call(f.d.socket, 'POST', '/1.0/instances', {
      body: {
        name: 'm1',
        source: { type: 'image', alias: 'busybox' },
        devices: { mark: { type: 'test-marker', dir, colour: 'x' } },
      },
    })
    assert.match(String(unknown.body.error), /Invalid device option "colour"/)

    await op('POST', '/1.0/instances', {
      body: {
        name: 'm1',
        source: { type: 'image', alias: 'busybox' },
        devices: { mark: { type: 'test-marker', dir, text: 'one' } },
      },
    })
    const file = join(dir, 'm1.mark')
    await op('PUT', '/1.0/instances/m1/state', { body: { action: 'start' } })
    assert.equal(readFileSync(file, 'utf8'), 'one', 'started')
    // `text` is live: the running device is updated at once.
    await op('PATCH', '/1.0/instances/m1', {
      body: { devices: { mark: { type: 'test-marker', dir, text: 'two' } } },
    })
    assert.equal(readFileSync(file, 'utf8'), 'two', 'updated live')
    // `dir` is not live and the type is not hot-pluggable: it applies at the next start, and stop
    // removes the file start made, not one under the new dir.
    const other = mkdtempSync(join(tmpdir(), 'corral-marker-'))
    await op('PATCH', '/1.0/instances/m1', {
      body: { devices: { mark: { type: 'test-marker', dir: other, text: 'two' } } },
    })
    await op('PUT', '/1.0/instances/m1/state', { body: { action: 'stop', force: true } })
    assert.equal(existsSync(file), false, 'stopped from the record')
    await op('PUT', '/1.0/instances/m1/state', { body: { action: 'start' } })
    assert.equal(readFileSync(join(other, 'm1.mark'), 'utf8'), 'two', 'the next start uses the new dir')
    await op('PUT', '/1.0/instances/m1/state', { body: { action: 'stop', force: true } })
    await op('DELETE', '/1.0/instances/m1')
    assert.equal(existsSync(join(other, 'm1.mark')), false)
    rmSync(other, { recursive: true, force: true })
  },
)
