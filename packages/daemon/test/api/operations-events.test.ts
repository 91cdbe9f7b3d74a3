/** @module API tier: operations (list, wait, cancel) and the /1.0/events websocket. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { WebSocket } from 'ws'
import type { Event, Operation } from '@corral/api'
import { call, ok } from '../helpers/http.js'
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js'

let d: TestDaemon
before(async () => (d = await startTestDaemon()))
after(async () => d.close())

const requestor = { username: 'tester', protocol: 'unix', address: '@' }

function listen(query: string): Promise<{ ws: WebSocket; events: Event[] }> {
  const ws = new WebSocket(`ws+unix://${d.socket}:/1.0/events${query}`)
  const events: Event[] = []
  ws.on('message', (data: Buffer) => events.push(JSON.parse(data.toString('utf8')) as Event))
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, events }))
    ws.once('error', reject)
  })
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  assert.ok(check(), 'condition not reached within 2s')
}

test('an operation is listed while running, waited on, and reported as operation events', async () => {
  const { ws, events } = await listen('?type=operation')
  let finish!: () => void
  const gate = new Promise<void>((r) => (finish = r))
  const op = d.daemon.state.operations.create({
    project: 'default',
    class: 'task',
    description: 'Testing',
    requestor,
    run: async (ctx) => {
      ctx.setMetadata({ progress: '50%' })
      await gate
      return { result: 'done' }
    },
  })
  const listed = await ok<Record<string, string[]>>(d.socket, 'GET', '/1.0/operations')
  assert.deepEqual(listed.running, [`/1.0/operations/${op.id}`])
  const timedOut = await ok<Operation>(d.socket, 'GET', `/1.0/operations/${op.id}/wait?timeout=0.05`)
  assert.equal(timedOut.status, 'Running')
  assert.equal(timedOut.metadata?.progress, '50%')
  const cancel = await call(d.socket, 'DELETE', `/1.0/operations/${op.id}`)
  assert.equal(cancel.status, 400)
  assert.equal(cancel.body.error, "This operation can't be cancelled")
  const waited = ok<Operation>(d.socket, 'GET', `/1.0/operations/${op.id}/wait?timeout=5`)
  finish()
  const final = await waited
  assert.equal(final.status, 'Success')
  assert.equal(final.status_code, 200)
  assert.deepEqual(final.metadata, { progress: '50%', result: 'done' })
  // Exactly LXD 5.0.2's operation fields: pylxd 2.2 and the stock client parse no more.
  assert.deepEqual(Object.keys(final).sort(), [
    'class',
    'created_at',
    'description',
    'err',
    'id',
    'location',
    'may_cancel',
    'metadata',
    'resources',
    'status',
    'status_code',
    'updated_at',
  ])
  const full = await ok<Record<string, Operation[]>>(d.socket, 'GET', '/1.0/operations?recursion=1')
  assert.equal(full.success?.[0]?.id, op.id)
  await until(() => events.some((e) => (e.metadata as Operation).status === 'Success'))
  assert.deepEqual(
    [...new Set(events.map((e) => (e.metadata as Operation).status))],
    ['Running', 'Success'],
    'operation events follow the status',
  )
  ws.close()
})

test('a cancellable operation is cancelled by DELETE', async () => {
  let cancelled = false
  const op = d.daemon.state.operations.create({
    project: 'default',
    class: 'task',
    description: 'Cancellable',
    requestor,
    run: (ctx) =>
      new Promise((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
      ),
    cancel: () => void (cancelled = true),
  })
  assert.equal((await ok<Operation>(d.socket, 'GET', `/1.0/operations/${op.id}`)).may_cancel, true)
  await ok(d.socket, 'DELETE', `/1.0/operations/${op.id}`)
  const final = await ok<Operation>(d.socket, 'GET', `/1.0/operations/${op.id}/wait?timeout=5`)
  assert.equal(final.status, 'Cancelled')
  assert.equal(cancelled, true)
})

test('an unknown operation is 404', async () => {
  const res = await call(d.socket, 'GET', '/1.0/operations/00000000-0000-0000-0000-000000000000')
  assert.equal(res.status, 404)
})

test('lifecycle events carry the action, source and the requestor read from the socket', async () => {
  const { ws, events } = await listen('?type=lifecycle')
  await ok(d.socket, 'POST', '/1.0/profiles', { body: { name: 'evt' } })
  await ok(d.socket, 'POST', '/1.0/profiles/evt', { body: { name: 'evt2' } })
  await until(() => events.length >= 2)
  const [created, renamed] = events
  assert.equal(created?.type, 'lifecycle')
  assert.equal(created?.project, 'default')
  assert.deepEqual(created?.metadata, {
    action: 'profile-created',
    source: '/1.0/profiles/evt',
    context: {},
    requestor: {
      username:
        process.getuid?.() === 0
          ? 'root'
          : String((created?.metadata as { requestor: { username: string } }).requestor.username),
      protocol: 'unix',
      address: '@',
    },
  })
  assert.equal((renamed?.metadata as { action: string }).action, 'profile-renamed')
  assert.deepEqual((renamed?.metadata as { context: unknown }).context, { old_name: 'evt' })
  ws.close()
})

test('events of another project are not delivered unless all-projects is asked', async () => {
  await ok(d.socket, 'POST', '/1.0/projects', { body: { name: 'other' } })
  const mine = await listen('?type=lifecycle')
  const all = await listen('?type=lifecycle&all-projects=true')
  await ok(d.socket, 'POST', '/1.0/profiles?project=other', { body: { name: 'theirs' } })
  await ok(d.socket, 'POST', '/1.0/profiles', { body: { name: 'ours' } })
  await until(() => all.events.length >= 2 && mine.events.length >= 1)
  assert.deepEqual(
    mine.events.map((e) => (e.metadata as { source: string }).source),
    ['/1.0/profiles/ours'],
  )
  assert.deepEqual(
    all.events.map((e) => (e.metadata as { source: string }).source),
    ['/1.0/profiles/theirs?project=other', '/1.0/profiles/ours'],
  )
  mine.ws.close()
  all.ws.close()
})

test('an unknown event type is refused with 400 before the upgrade', async () => {
  const ws = new WebSocket(`ws+unix://${d.socket}:/1.0/events?type=bogus`)
  const [status, body] = await new Promise<[number, string]>((resolve) => {
    ws.once('unexpected-response', (_req, res) => {
      let text = ''
      res.on('data', (c: Buffer) => (text += c.toString('utf8')))
      res.on('end', () => resolve([res.statusCode ?? 0, text]))
    })
  })
  assert.equal(status, 400)
  assert.equal((JSON.parse(body) as { error: string }).error, '"bogus" isn\'t a supported event type')
})
