/** @module Unit tier: browsers' cross-site requests are refused; other clients and same-origin pages pass. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { statusOf } from '@corral/api'
import { refuseCrossSite } from '../../src/api/cross-origin.js'

const status = (method: string, headers: Record<string, string>, upgrade = false): number => {
  try {
    refuseCrossSite(method, headers, upgrade)
    return 200
  } catch (err) {
    return statusOf(err) ?? 500
  }
}

const json = { 'content-type': 'application/json', 'content-length': '2' }

test('clients that are not browsers (no Sec-Fetch-Site, no Origin) pass, whatever the body type', () => {
  assert.equal(status('POST', { host: '127.0.0.1:8443', 'content-length': '5' }), 200)
  assert.equal(status('PUT', { 'content-type': 'application/octet-stream', 'content-length': '9' }), 200)
})

test('a cross-site or same-site mutation is refused with 403; same-origin and user-typed pass', () => {
  for (const site of ['cross-site', 'same-site'])
    assert.equal(status('POST', { 'sec-fetch-site': site, ...json }), 403, site)
  assert.equal(status('POST', { 'sec-fetch-site': 'same-origin', ...json }), 200)
  assert.equal(status('DELETE', { 'sec-fetch-site': 'none' }), 200)
})

test('without Sec-Fetch-Site, an Origin of another host or port is refused; the same host passes', () => {
  const host = '127.0.0.1:8443'
  assert.equal(status('POST', { host, origin: 'https://evil.example', ...json }), 403)
  assert.equal(status('POST', { host, origin: 'https://127.0.0.1:9443', ...json }), 403)
  assert.equal(status('POST', { host, origin: 'null', ...json }), 403)
  assert.equal(status('PATCH', { host, origin: 'https://127.0.0.1:8443', ...json }), 200)
})

test('reads pass, but a cross-site websocket upgrade (events, exec) is refused', () => {
  assert.equal(status('GET', { 'sec-fetch-site': 'cross-site' }), 200)
  assert.equal(status('GET', { 'sec-fetch-site': 'cross-site' }, true), 403)
  assert.equal(status('GET', { host: 'a:1', origin: 'https://b:1' }, true), 403)
  assert.equal(status('GET', { 'sec-fetch-site': 'same-origin' }, true), 200)
})

test("a browser's mutation must carry JSON: a form's body types get 415", () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])
    assert.equal(
      status('POST', { 'sec-fetch-site': 'same-origin', 'content-type': type, 'content-length': '3' }),
      415,
      type,
    )
  assert.equal(
    status('POST', {
      'sec-fetch-site': 'same-origin',
      'content-type': 'application/json; charset=utf-8',
      'content-length': '2',
    }),
    200,
  )
  assert.equal(status('POST', { 'sec-fetch-site': 'same-origin' }), 200, 'no body at all')
})
