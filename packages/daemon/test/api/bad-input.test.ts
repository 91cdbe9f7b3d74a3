/** @module API tier: bad input on every endpoint gets a 4xx envelope and leaves the database as it was. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { call, ok, type CallOptions } from '../helpers/http.js'
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js'

let d: TestDaemon
before(async () => {
  d = await startTestDaemon()
  await ok(d.socket, 'POST', '/1.0/profiles', { body: { name: 'p1', config: { 'limits.cpu': '1' } } })
  await ok(d.socket, 'POST', '/1.0/projects', { body: { name: 'proj' } })
  await ok(d.socket, 'PUT', '/1.0', { body: { config: { 'core.shutdown_timeout': '3' } } })
})
after(async () => d.close())

/** Every row of every table, to compare before and after. */
function dump(): string {
  const db = d.daemon.state.db
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
    name: string
  }[]
  return JSON.stringify(
    tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]),
  )
}

const huge = JSON.stringify({ name: 'big', description: 'x'.repeat(5 * 1024 * 1024) })

const cases: [string, string, string, CallOptions, number, RegExp][] = [
  // method, path, what, request, status, message
  [
    'POST',
    '/1.0/profiles',
    'malformed JSON',
    { rawBody: '{"name": "x",' },
    400,
    /^Invalid JSON in request body/,
  ],
  ['POST', '/1.0/profiles', 'an empty body', { rawBody: '' }, 400, /^Request body is empty$/],
  ['POST', '/1.0/profiles', 'a JSON array', { body: [] }, 400, /must be a JSON object/],
  ['POST', '/1.0/profiles', 'a number as name', { body: { name: 5 } }, 400, /"name": must be a string/],
  ['POST', '/1.0/profiles', 'no name', { body: { config: {} } }, 400, /^No name provided$/],
  ['POST', '/1.0/profiles', 'a slash in the name', { body: { name: 'a/b' } }, 400, /may not contain slashes/],
  ['POST', '/1.0/profiles', 'a space in the name', { body: { name: 'a b' } }, 400, /Invalid profile name/],
  ['POST', '/1.0/profiles', 'the name ..', { body: { name: '..' } }, 400, /Invalid profile name/],
  [
    'POST',
    '/1.0/profiles',
    'config as a list',
    { body: { name: 'x', config: ['a'] } },
    400,
    /"config": must be a map/,
  ],
  [
    'POST',
    '/1.0/profiles',
    'a number config value',
    { body: { name: 'x', config: { 'limits.cpu': 2 } } },
    400,
    /must have a string value/,
  ],
  [
    'POST',
    '/1.0/profiles',
    'an unknown config key',
    { body: { name: 'x', config: { 'no.such': '1' } } },
    400,
    /^Unknown configuration key: no.such$/,
  ],
  [
    'POST',
    '/1.0/profiles',
    'a bad boolean',
    { body: { name: 'x', config: { 'security.nesting': 'maybe' } } },
    400,
    /security.nesting/,
  ],
  [
    'POST',
    '/1.0/profiles',
    'a bad integer',
    { body: { name: 'x', config: { 'limits.processes': '1e3' } } },
    400,
    /limits.processes/,
  ],
  [
    'POST',
    '/1.0/profiles',
    'an unknown device type',
    { body: { name: 'x', devices: { d: { type: 'warp' } } } },
    400,
    /Device validation failed for "d": Unsupported device type/,
  ],
  [
    'POST',
    '/1.0/profiles',
    'a device without type',
    { body: { name: 'x', devices: { d: {} } } },
    400,
    /Missing device type/,
  ],
  [
    'POST',
    '/1.0/profiles',
    'an unknown device key',
    { body: { name: 'x', devices: { d: { type: 'none', k: 'v' } } } },
    400,
    /Invalid device option "k"/,
  ],
  [
    'POST',
    '/1.0/profiles',
    'devices as a string',
    { body: { name: 'x', devices: 'eth0' } },
    400,
    /"devices": must be a map/,
  ],
  ['POST', '/1.0/profiles', 'an oversized body', { rawBody: huge }, 413, /too large/],
  ['POST', '/1.0/profiles', 'an existing name', { body: { name: 'p1' } }, 409, /already exists/],
  ['PUT', '/1.0/profiles/p1', 'malformed JSON', { rawBody: 'nope' }, 400, /^Invalid JSON/],
  [
    'PUT',
    '/1.0/profiles/p1',
    'an unknown key',
    { body: { config: { bogus: '1' } } },
    400,
    /Unknown configuration key/,
  ],
  ['PUT', '/1.0/profiles/p1', 'a stale ETag', { body: {}, headers: { 'If-Match': '"abc"' } }, 412, /ETag/],
  [
    'PATCH',
    '/1.0/profiles/p1',
    'a bad value',
    { body: { config: { 'limits.memory': 'lots' } } },
    400,
    /limits.memory/,
  ],
  ['POST', '/1.0/profiles/p1', 'a rename to a bad name', { body: { name: 'a/b' } }, 400, /slashes/],
  [
    'POST',
    '/1.0/profiles/p1',
    'a rename to the default',
    { body: { name: 'default' } },
    409,
    /already in use/,
  ],
  ['PUT', '/1.0/profiles/missing', 'a missing profile', { body: {} }, 404, /^Profile not found$/],
  ['DELETE', '/1.0/profiles/missing', 'a missing profile', {}, 404, /^Profile not found$/],
  ['GET', '/1.0/profiles?project=nope', 'a missing project', {}, 404, /^Project not found$/],
  ['POST', '/1.0/projects', 'an underscore', { body: { name: 'a_b' } }, 400, /underscores/],
  [
    'POST',
    '/1.0/projects',
    'an unknown key',
    { body: { name: 'q', config: { 'features.bogus': 'true' } } },
    400,
    /features.bogus/,
  ],
  ['POST', '/1.0/projects', 'an existing project', { body: { name: 'proj' } }, 409, /already exists/],
  [
    'PUT',
    '/1.0/projects/proj',
    'a bad value',
    { body: { config: { 'limits.instances': '-1' } } },
    400,
    /limits.instances/,
  ],
  [
    'PUT',
    '/1.0/projects/default',
    'a feature change',
    { body: { config: { 'features.profiles': 'false' } } },
    400,
    /features of the default project/,
  ],
  ['POST', '/1.0/projects/proj', 'a rename to a bad name', { body: { name: '' } }, 400, /No name provided/],
  ['PUT', '/1.0', 'an unknown key', { body: { config: { 'core.nope': '1' } } }, 400, /Unknown key/],
  [
    'PATCH',
    '/1.0',
    'a negative integer',
    { body: { config: { 'core.shutdown_timeout': '-1' } } },
    400,
    /shutdown_timeout/,
  ],
  ['PUT', '/1.0', 'config as a string', { body: { config: 'x' } }, 400, /"config": must be a map/],
  ['PUT', '/1.0', 'malformed JSON', { rawBody: '{' }, 400, /Invalid JSON/],
  ['DELETE', '/1.0', 'an unknown method', {}, 405, /Method not allowed/],
  ['PATCH', '/1.0/operations', 'an unknown method', { body: {} }, 405, /Method not allowed/],
  ['GET', '/1.0/operations/x/wait?timeout=abc', 'a missing operation', {}, 404, /Operation not found/],
  ['GET', '/1.0/bogus', 'an unknown path', {}, 404, /^not found$/],
  ['GET', '/2.0', 'an unknown API version', {}, 404, /^not found$/],
  ['PUT', '/internal/nope', 'an unknown internal path', {}, 404, /^not found$/],
]

for (const [method, path, what, request, status, message] of cases) {
  test(`${method} ${path} with ${what} → ${status}, database unchanged`, async () => {
    const before = dump()
    const res = await call(d.socket, method, path, request)
    assert.equal(res.status, status)
    assert.equal(res.body.type, 'error')
    assert.equal(res.body.error_code, status)
    assert.deepEqual(Object.keys(res.body).sort(), [
      'error',
      'error_code',
      'metadata',
      'operation',
      'status',
      'status_code',
      'type',
    ])
    assert.match(String(res.body.error), message)
    assert.equal(dump(), before)
  })
}
