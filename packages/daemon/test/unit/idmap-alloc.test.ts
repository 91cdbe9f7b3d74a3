/** @module Unit tier: first-fit allocation of isolated id ranges. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { firstFit } from '../../src/instance/idmap-alloc.js'

const sub = { start: 100000, size: 1000000 }

test('the first isolated range starts 65536 ids above the subordinate base', () => {
  assert.equal(firstFit(sub, [], 65536), 165536)
})

test('ranges are packed first-fit around the taken ones, in any order', () => {
  const taken = [
    { base: 231072, size: 65536 },
    { base: 165536, size: 65536 },
  ]
  assert.equal(firstFit(sub, taken, 65536), 296608)
  // A hole big enough is reused.
  assert.equal(firstFit(sub, [{ base: 300000, size: 65536 }], 65536), 165536)
  assert.equal(firstFit(sub, [{ base: 200000, size: 65536 }], 65536), 265536)
})

test('nothing fits past the end of the subordinate range', () => {
  assert.equal(firstFit(sub, [], 1000000), undefined)
  assert.equal(firstFit(sub, [{ base: 165536, size: 900000 }], 65536), undefined)
  assert.equal(firstFit(sub, [], 1000000 - 65536), 165536)
})
