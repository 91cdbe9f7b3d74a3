/** @module Unit tier: LXD filter expressions. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiError } from '@corral/api'
import { matchesFilter, parseFilter } from '../../src/api/filter.js'

const c1 = {
  name: 'c1',
  status: 'Running',
  config: { 'image.os': 'busybox' },
  expanded_config: { 'limits.cpu': '2' },
}

const cases: [string, boolean][] = [
  ['', true],
  ['name eq c1', true],
  ['name eq c2', false],
  ['name ne c2', true],
  ['status eq running', true],
  ['config.image.os eq busybox', true],
  ['expanded_config.limits.cpu eq "2"', true],
  ['name eq c2 or status eq Running', true],
  ['name eq c1 and status eq Stopped', false],
  ['not name eq c1', false],
  ['config.missing eq x', false],
]

for (const [filter, expected] of cases) {
  test(`matchesFilter() with "${filter}" is ${expected}`, () => {
    assert.equal(matchesFilter(c1, parseFilter(filter)), expected)
  })
}

test('parseFilter() refuses a malformed filter with a 400', () => {
  assert.throws(
    () => parseFilter('name c1'),
    (err: unknown) => err instanceof ApiError && err.status === 400,
  )
  assert.throws(() => parseFilter('name eq c1 xor status eq Running'), ApiError)
})
