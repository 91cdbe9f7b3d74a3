/** @module Unit tier: pool keys, sizes, names, volume naming, the driver registry and the Reverter. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiError } from '@corral/api'
import { findStorageDriver, storageDrivers } from '../../src/storage/drivers/registry.js'
import { validatePoolName } from '../../src/storage/names.js'
import { parseSize } from '../../src/storage/pool-keys.js'
import { imageVolumePath, instanceVolumePath, snapshotsDir, volumeName } from '../../src/storage/volumes.js'
import { Reverter } from '../../src/util/revert.js'
import { fakeHost } from '../helpers/fake-host.js'

const status = (fn: () => unknown): number | undefined => {
  try {
    fn()
  } catch (err) {
    return err instanceof ApiError ? err.status : -1
  }
  return undefined
}

test('volumeName() is the instance in project default and <project>_<instance> elsewhere', () => {
  assert.equal(volumeName('default', 'c1'), 'c1')
  assert.equal(volumeName('web', 'c1'), 'web_c1')
  assert.equal(instanceVolumePath('/m', 'web', 'c1'), '/m/containers/web_c1')
  assert.equal(snapshotsDir('/m', 'default', 'c1'), '/m/containers-snapshots/c1')
})

test('volume paths refuse names and fingerprints that would leave their directory', () => {
  assert.equal(
    status(() => instanceVolumePath('/m', 'default', '..')),
    400,
  )
  assert.equal(
    status(() => instanceVolumePath('/m', 'default', 'a/b')),
    400,
  )
  assert.equal(
    status(() => imageVolumePath('/m', '../etc')),
    400,
  )
  assert.equal(imageVolumePath('/m', 'abc123'), '/m/images/abc123')
})

test('parseSize() reads decimal and binary units', () => {
  assert.equal(parseSize('1GiB'), 2 ** 30)
  assert.equal(parseSize('5GB'), 5e9)
  assert.equal(parseSize('512'), 512)
  assert.equal(parseSize('1.5MiB'), 1.5 * 2 ** 20)
  assert.throws(() => parseSize('big'), /not a size/)
  assert.throws(() => parseSize('1GiBs'), /not a size/)
})

test('pool keys: dir accepts source only; btrfs accepts size, source, btrfs.mount_options', () => {
  const dir = findStorageDriver('dir').keys
  const btrfs = findStorageDriver('btrfs').keys
  assert.doesNotThrow(() => dir.validate({ source: '/srv/pool' }))
  assert.throws(() => dir.validate({ size: '1GiB' }), { message: 'Invalid option "size"' })
  assert.throws(() => dir.validate({ source: 'rel' }), { message: /^Invalid value for option "source": / })
  assert.doesNotThrow(() => btrfs.validate({ size: '1GiB', 'btrfs.mount_options': 'compress=zstd' }))
  assert.throws(() => btrfs.validate({ size: '10MiB' }), { message: /at least 128MiB/ })
  assert.throws(() => btrfs.validate({ size: 'lots' }), { message: /^Invalid value for option "size"/ })
  assert.throws(() => btrfs.validate({ 'zfs.pool_name': 'x' }), { message: 'Invalid option "zfs.pool_name"' })
})

test('fillDefaults() sets LXD-like source (and size for btrfs loop files)', () => {
  const ctx = {
    host: fakeHost(() => Promise.reject(new Error('no'))),
    pool: 'p',
    stateDir: '/s',
    mountPath: '/s/storage-pools/p',
    config: {},
  }
  assert.deepEqual(findStorageDriver('dir').fillDefaults(ctx), { source: '/s/storage-pools/p' })
  assert.deepEqual(findStorageDriver('btrfs').fillDefaults(ctx), { size: '5GiB', source: '/s/disks/p.img' })
})

test('the registry has one driver per name and refuses unknown drivers with 400', () => {
  const names = storageDrivers.map((d) => d.name)
  assert.deepEqual(names, [...new Set(names)])
  assert.equal(
    status(() => findStorageDriver('nope')),
    400,
  )
})

test('validatePoolName() refuses empty names, slashes, dot names and spaces', () => {
  for (const bad of ['', 'a/b', '.', '..', '.hidden', 'a b', 'x'.repeat(64)])
    assert.equal(
      status(() => validatePoolName(bad)),
      400,
      bad,
    )
  assert.equal(
    status(() => validatePoolName('pool-1_a')),
    undefined,
  )
})

test('Reverter runs hooks newest first on fail(), none after success(), and survives a failing hook', async () => {
  const order: number[] = []
  const r = new Reverter()
  r.add(() => order.push(1))
  r.add(() => {
    throw new Error('hook failed')
  })
  r.add(() => Promise.resolve(order.push(3)))
  await r.fail()
  assert.deepEqual(order, [3, 1])
  const ok = new Reverter()
  ok.add(() => order.push(9))
  ok.success()
  await ok.fail()
  assert.deepEqual(order, [3, 1])
})
