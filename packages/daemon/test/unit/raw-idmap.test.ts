/** @module Unit tier: raw.idmap parsing and punching into a container's map. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sharedIdmap } from '../../src/instance/idmap.js'
import { applyRawIdmap, parseRawIdmap } from '../../src/instance/raw-idmap.js'

const shared = sharedIdmap({ start: 100000, size: 65536 }, { start: 100000, size: 65536 })

test('"both 1000 1000" maps host 1000 to container 1000 and cuts it out of the range', () => {
  const map = applyRawIdmap(shared, parseRawIdmap('both 1000 1000'))
  const uids = map.filter((e) => e.Isuid).map((e) => [e.Nsid, e.Hostid, e.Maprange])
  assert.deepEqual(uids, [
    [0, 100000, 1000],
    [1000, 1000, 1],
    [1001, 101001, 64535],
  ])
  assert.equal(map.filter((e) => e.Isgid).length, 3)
})

test('ranges, uid-only and gid-only lines', () => {
  assert.deepEqual(parseRawIdmap('uid 2000-2009 3000-3009\ngid 50\n'), [
    { uid: true, gid: false, host: 2000, ns: 3000, size: 10 },
    { uid: false, gid: true, host: 50, ns: 50, size: 1 },
  ])
  const map = applyRawIdmap(shared, parseRawIdmap('uid 2000-2009 3000-3009'))
  assert.equal(map.filter((e) => e.Isgid).length, 1, 'gids untouched')
})

test('malformed, duplicate and unsafe lines are refused', () => {
  for (const bad of [
    'both',
    'user 1000 1000',
    'both x 1',
    'both 1000-999 1000',
    'both 1-5 1-4',
    'both 1 2 3',
  ])
    assert.throws(() => parseRawIdmap(bad), /Invalid raw.idmap line/, bad)
  assert.throws(() => parseRawIdmap('both 1000 1000\nuid 1000 2000'), /two lines map the same ids/)
  assert.throws(() => parseRawIdmap('both 1000 1000\nboth 2000 1000'), /two lines map the same ids/)
  assert.throws(
    () => applyRawIdmap(shared, parseRawIdmap('both 100500 0')),
    /already in the container's range/,
  )
})
