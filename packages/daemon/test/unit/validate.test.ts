/** @module Unit tier: validators and key sets. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiError } from '@corral/api'
import { instanceKeys } from '../../src/config/instance-keys.js'
import { serverKeys } from '../../src/config/server-keys.js'
import * as v from '../../src/config/validate.js'

const table: [string, v.Validator, string[], string[]][] = [
  ['isBool', v.isBool, ['true', 'false', '1', '0', 'yes', 'off', 'TRUE'], ['maybe', '2', '']],
  ['isInt64', v.isInt64, ['0', '-5', '9223372036854775807'], ['1.5', '1e3', 'x', '9223372036854775808']],
  ['isInRange(1,10)', v.isInRange(1, 10), ['1', '10'], ['0', '11', 'a']],
  ['isCpuSet', v.isCpuSet, ['2', '0-3', '0,2,4-5'], ['a', '1-', '-1']],
  ['isSize', v.isSize, ['512MiB', '2GB', '1024', '1.5GiB'], ['lots', '5XB']],
  ['isSizeOrPercent', v.isSizeOrPercent, ['50%', '1GiB'], ['%', 'x%']],
  ['isDuration', v.isDuration, ['15d', '4h', '1d 2h', '30m'], ['soon', '15', 'd']],
  [
    'isListenAddress',
    v.isListenAddress,
    ['127.0.0.1', '127.0.0.1:8443', '[::1]:8443', '[::]', ':8443', '0.0.0.0'],
    ['a:b:c', '1.2.3.4:0', '1.2.3.4:99999', '::1'],
  ],
  ['isHttpUrl', v.isHttpUrl, ['http://127.0.0.1:9', 'https://x.test/'], ['ftp://x', 'nope']],
  ['isOneOf(a,b)', v.isOneOf('a', 'b'), ['a', 'b'], ['c', '']],
  ['optional(isBool)', v.optional(v.isBool), ['', 'true'], ['x']],
]

for (const [name, validator, good, bad] of table) {
  test(`${name} accepts ${good.join(', ')} and refuses ${bad.map((b) => JSON.stringify(b)).join(', ')}`, () => {
    for (const value of good) assert.doesNotThrow(() => validator(value), `should accept ${value}`)
    for (const value of bad) assert.throws(() => validator(value), Error, `should refuse ${value}`)
  })
}

test('isTrue() reads LXD boolean spellings', () => {
  assert.deepEqual(['true', 'on', '1', 'yes', 'false', '', undefined].map(v.isTrue), [
    true,
    true,
    true,
    true,
    false,
    false,
    false,
  ])
})

test('instanceKeys.validate() allows pattern keys and refuses unknown ones with a 400', () => {
  assert.doesNotThrow(() =>
    instanceKeys.validate({ 'user.anything': 'x', 'environment.FOO': 'bar', 'limits.cpu': '2' }),
  )
  assert.throws(
    () => instanceKeys.validate({ 'nope.key': '1' }),
    (err: unknown) =>
      err instanceof ApiError && err.status === 400 && err.message === 'Unknown configuration key: nope.key',
  )
  for (const key of ['user.a\nlxc.hook.pre-start', 'environment.X\0', 'user.\x1b[2J'])
    assert.throws(() => instanceKeys.validate({ [key]: 'x' }), /Unknown configuration key/)
})

test('serverKeys.validate() names the key and value of a bad value', () => {
  assert.throws(
    () => serverKeys.validate({ 'core.shutdown_timeout': 'ten' }),
    (err: unknown) =>
      err instanceof ApiError && /^Cannot set "core.shutdown_timeout" to "ten": /.test(err.message),
  )
})

test('serverKeys.validate() accepts an empty value as an unset', () => {
  assert.doesNotThrow(() => serverKeys.validate({ 'core.shutdown_timeout': '' }))
})

test('environment.* values must be single lines', () => {
  assert.throws(() => instanceKeys.validate({ 'environment.X': 'a\nb' }), ApiError)
  assert.doesNotThrow(() => instanceKeys.validate({ 'environment.X': 'a\tb c' }))
})
