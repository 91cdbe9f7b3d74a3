/** @module Unit: which cgroup limits a config change of a running container writes. */
import assert from 'node:assert/strict'
import { totalmem } from 'node:os'
import { test } from 'node:test'
import { limitsOf } from '../../src/instance/lxc/live.js'

test('only the limits that changed are written; an unset limit is lifted', () => {
  assert.deepEqual(limitsOf({}, {}), {})
  assert.deepEqual(limitsOf({ 'limits.memory': '1GiB' }, { 'limits.memory': '1GiB', 'user.x': 'y' }), {})
  assert.deepEqual(
    limitsOf({}, { 'limits.memory': '128MiB', 'limits.processes': '50', 'limits.cpu': '0,2' }),
    {
      memory: 134217728,
      processes: 50,
      cpus: '0,2',
    },
  )
  assert.deepEqual(limitsOf({ 'limits.memory': '128MiB', 'limits.processes': '50', 'limits.cpu': '1' }, {}), {
    memory: null,
    processes: null,
    cpus: null,
  })
})

test('a percentage is of the host memory; a CPU count pins the first CPUs, as at start', () => {
  assert.deepEqual(limitsOf({}, { 'limits.memory': '50%' }), { memory: Math.floor(totalmem() / 2) })
  assert.deepEqual(limitsOf({}, { 'limits.cpu': '1' }), { cpus: '0-0' })
  assert.deepEqual(limitsOf({}, { 'limits.cpu': '2-3' }), { cpus: '2-3' })
})
