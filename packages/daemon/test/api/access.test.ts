/** @module API tier: the actions callers reach without trust, pinned so that widening shows in review. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { endpoints } from '../../src/api/index.js'

const list = (access: string) =>
  endpoints.flatMap((e) => [
    ...Object.entries(e.actions)
      .filter(([, a]) => a.access === access)
      .map(([m]) => `${m.toUpperCase()} ${e.path}`),
    ...(e.websocket?.access === access ? [`WS ${e.path}`] : []),
  ])

test('the untrusted and local-only actions are exactly these', () => {
  assert.deepEqual(list('untrusted'), UNTRUSTED)
  assert.deepEqual(list('localOnly'), ['GET /internal/ready', 'PUT /internal/shutdown'])
})

test('the actions open to every trusted caller, whose handlers filter for restricted certificates', () => {
  assert.deepEqual(list('authenticated'), AUTHENTICATED)
})

const AUTHENTICATED = [
  'WS /1.0/events',
  'GET /1.0/operations',
  'GET /1.0/operations/{id}',
  'DELETE /1.0/operations/{id}',
  'GET /1.0/projects',
  'GET /1.0/projects/{name}',
  'GET /1.0/certificates',
  'GET /1.0/certificates/{fingerprint}',
  'PUT /1.0/certificates/{fingerprint}',
  'PATCH /1.0/certificates/{fingerprint}',
  'GET /1.0/storage-pools',
  'GET /1.0/storage-pools/{name}',
  'GET /1.0/storage-pools/{name}/resources',
  // The host's hardware as LXD shows it to any trusted client (lxc info --resources).
  'GET /1.0/resources',
]

const UNTRUSTED = [
  'GET /',
  'GET /1.0',
  'GET /1.0/operations/{id}/wait',
  'GET /1.0/images/aliases/{name}',
  'GET /1.0/images',
  'GET /1.0/images/{fingerprint}',
  'GET /1.0/images/{fingerprint}/export',
  'POST /1.0/certificates',
  'WS /1.0/operations/{id}/websocket',
]
