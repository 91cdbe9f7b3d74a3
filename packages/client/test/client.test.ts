// Unit tier: @corral/client over a real unix socket served by a small in-test HTTP server.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { WebSocketServer } from 'ws'
import { ApiError, errorEnvelope, syncEnvelope, type Event } from '@corral/api'
import { connectUnix, ConnectionError, defaultSocketPath, eventsPath, withProject } from '@corral/client'

interface Seen {
  method: string
  url: string
  ifMatch?: string
  body: string
}

const seen: Seen[] = []
let dir: string
let socket: string
let server: http.Server

const profile = { name: 'p1', description: '', config: {}, devices: {}, used_by: [] }

function answer(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
  seen.push({ method: req.method!, url: req.url!, ifMatch: req.headers['if-match'], body })
  const url = req.url!
  const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
    res.end(JSON.stringify(payload))
  }
  if (url.startsWith('/1.0/profiles?recursion=1')) return send(200, syncEnvelope([profile]))
  if (url.startsWith('/1.0/profiles/p1') && req.method === 'GET')
    return send(200, syncEnvelope(profile), { ETag: '"abc"' })
  if (url.startsWith('/1.0/profiles/p1') && req.method === 'PUT') {
    if (req.headers['if-match'] !== '"abc"') return send(412, errorEnvelope(412, "ETag doesn't match"))
    return send(200, syncEnvelope({}))
  }
  if (url === '/1.0/operations?recursion=1')
    return send(
      200,
      syncEnvelope({ running: [{ id: 'a', status: 'Running' }], success: [{ id: 'b', status: 'Success' }] }),
    )
  if (url === '/1.0/operations/a/wait?timeout=5')
    return send(200, syncEnvelope({ id: 'a', status: 'Success' }))
  if (url === '/1.0/nope') return send(404, errorEnvelope(404, 'not found'))
  if (url === '/1.0/plain') {
    res.writeHead(500)
    return void res.end('boom\n')
  }
  send(200, syncEnvelope({}))
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-client-test-'))
  socket = path.join(dir, 'unix.socket')
  server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => answer(req, body, res))
  })
  const wss = new WebSocketServer({ server })
  wss.on('connection', (ws, req) => {
    seen.push({ method: 'WS', url: req.url!, body: '' })
    const event: Event = { type: 'lifecycle', timestamp: 't', location: 'none', metadata: { action: 'x' } }
    ws.send(JSON.stringify(event))
    ws.close()
  })
  await new Promise<void>((resolve) => server.listen(socket, resolve))
})

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  fs.rmSync(dir, { recursive: true, force: true })
})

test('profiles.list() asks for recursion=1 and returns metadata', async () => {
  const client = connectUnix(socket)
  assert.deepEqual(await client.profiles.list(), [profile])
  assert.equal(seen.at(-1)!.url, '/1.0/profiles?recursion=1')
})

test('a non-default project is appended as ?project=, except for projects and raw queries', async () => {
  const client = connectUnix(socket, { project: 'pj' })
  await client.profiles.list()
  assert.equal(seen.at(-1)!.url, '/1.0/profiles?recursion=1&project=pj')
  await client.projects.get('pj')
  assert.equal(seen.at(-1)!.url, '/1.0/projects/pj')
  await client.query('GET', '/1.0/x')
  assert.equal(seen.at(-1)!.url, '/1.0/x')
  assert.equal(withProject('/1.0/a?project=x', 'pj'), '/1.0/a?project=x')
})

test('get() returns the ETag and put() sends it as If-Match', async () => {
  const client = connectUnix(socket)
  const { profile: p, etag } = await client.profiles.get('p1')
  assert.equal(etag, '"abc"')
  await client.profiles.put('p1', { config: { a: 'b' }, description: p.description, devices: {} }, etag)
  const put = seen.at(-1)!
  assert.deepEqual(
    [put.method, put.ifMatch, JSON.parse(put.body)],
    ['PUT', '"abc"', { config: { a: 'b' }, description: '', devices: {} }],
  )
  await assert.rejects(
    client.profiles.put('p1', p, '"stale"'),
    (e: unknown) => e instanceof ApiError && e.status === 412,
  )
})

test('error envelopes become ApiError with the status and message', async () => {
  const client = connectUnix(socket)
  await assert.rejects(
    client.query('GET', '/1.0/nope'),
    (e: unknown) => e instanceof ApiError && e.status === 404 && e.message === 'not found',
  )
  await assert.rejects(
    client.query('GET', '/1.0/plain'),
    (e: unknown) => e instanceof ApiError && e.status === 500 && e.message === 'boom',
  )
})

test('operations.list() flattens the status groups; wait() passes the timeout', async () => {
  const client = connectUnix(socket)
  assert.deepEqual(
    (await client.operations.list()).map((o) => o.id),
    ['a', 'b'],
  )
  assert.equal((await client.operations.wait('a', 5)).status, 'Success')
})

test('events() opens a websocket on /1.0/events with types and project', async () => {
  const client = connectUnix(socket, { project: 'pj' })
  const stream = await client.events({ types: ['lifecycle', 'logging'] })
  const got: Event[] = []
  stream.onEvent((e) => got.push(e))
  await stream.closed
  assert.equal(seen.at(-1)!.url, '/1.0/events?type=lifecycle,logging&project=pj')
  assert.deepEqual(
    got.map((e) => e.type),
    ['lifecycle'],
  )
  assert.equal(
    eventsPath({ allProjects: true }, (p) => `${p}?project=x`),
    '/1.0/events?all-projects=true',
  )
})

test('a missing socket gives lxc-style connection errors', async () => {
  const missing = path.join(dir, 'missing.socket')
  await assert.rejects(
    connectUnix(missing).server.get(),
    (e: unknown) =>
      e instanceof ConnectionError &&
      e.message === `Get "http://unix.socket/1.0": dial unix ${missing}: connect: no such file or directory`,
  )
})

test('defaultSocketPath() follows CORRAL_DIR', () => {
  assert.equal(defaultSocketPath({}), '/var/lib/corral/unix.socket')
  assert.equal(defaultSocketPath({ CORRAL_DIR: '/tmp/x' }), '/tmp/x/unix.socket')
})
