/** @module Unit tier: error classification into LXD's envelope statuses. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiError, wrap } from '@corral/api'
import { classifyError } from '../../src/api/render.js'

test('classifyError() finds an ApiError through wrapped causes', () => {
  assert.deepEqual(classifyError(wrap(new ApiError(404, 'Profile not found'), 'Failed loading')), {
    status: 404,
    message: 'Failed loading: Profile not found',
  })
})

test('classifyError() maps ENOENT to 404, EACCES to 403, SQLite constraints to 409, else 500', () => {
  const errno = (code: string) => Object.assign(new Error(code), { code })
  assert.equal(classifyError(errno('ENOENT')).status, 404)
  assert.equal(classifyError(errno('EACCES')).status, 403)
  assert.equal(classifyError(errno('SQLITE_CONSTRAINT_UNIQUE')).status, 409)
  assert.equal(classifyError(new Error('bug')).status, 500)
})
