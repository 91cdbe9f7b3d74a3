/** @module Unit tier: the device registry and device map validation. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deviceDrivers, validateDevices } from '../../src/device/registry.js'

test('no two device drivers claim the same type and subtype', () => {
  const claims = deviceDrivers.map((d) => `${d.match.type}/${d.match.subtype ?? ''}`)
  assert.equal(new Set(claims).size, claims.length)
})

test('validateDevices() accepts a none device with user keys', () => {
  assert.doesNotThrow(() => validateDevices({ eth0: { type: 'none', 'user.note': 'masked' } }))
})

const refusals: [string, Record<string, Record<string, string>>, RegExp][] = [
  ['an unknown type', { d: { type: 'warp' } }, /Device validation failed for "d": Unsupported device type$/],
  ['a missing type', { d: {} }, /Missing device type$/],
  ['an unknown key', { d: { type: 'none', path: '/x' } }, /Invalid device option "path"$/],
  ['a name with a slash', { 'a/b': { type: 'none' } }, /Invalid device name$/],
]

for (const [what, devices, message] of refusals) {
  test(`validateDevices() refuses ${what}`, () => {
    assert.throws(() => validateDevices(devices), message)
  })
}
