// Unit tier: `corral query` and `corral monitor` output, as lxc 5.0.2 prints them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { asyncEnvelope, errorEnvelope, type Event } from '@corral/api'
import { prettyEvent } from '@corral/cli'
import { fakeWorld } from './helpers/run.js'
import { sync } from './helpers/fake-client.js'

const profile = { config: {}, description: 'Default LXD profile', devices: {}, name: 'default', used_by: [] }

test('query prints metadata as tab-indented JSON with sorted keys and a blank line', async () => {
  const w = fakeWorld()
  w.state.queries.set('GET /1.0/profiles/default', sync({ used_by: [], name: 'default', config: {} }))
  const r = await w.run(['query', '/1.0/profiles/default'])
  assert.equal(r.stdout, '{\n\t"config": {},\n\t"name": "default",\n\t"used_by": []\n}\n\n')
})

test('query --raw prints the whole envelope in wire order', async () => {
  const w = fakeWorld()
  w.state.queries.set('GET /1.0/profiles/default', sync(profile))
  const r = await w.run(['query', '--raw', '/1.0/profiles/default'])
  assert.ok(
    r.stdout.startsWith(
      '{\n\t"type": "sync",\n\t"status": "Success",\n\t"status_code": 200,\n\t"operation": "",\n',
    ),
  )
  assert.ok(r.stdout.endsWith('\t\t"used_by": []\n\t}\n}\n\n'))
})

test('query sends -X and -d, prints nothing for empty metadata', async () => {
  const w = fakeWorld()
  w.state.queries.set('DELETE /1.0/profiles/p1', sync({}))
  w.state.queries.set('POST /1.0/profiles', sync(null))
  assert.deepEqual(await w.run(['query', '-X', 'DELETE', '/1.0/profiles/p1']), {
    stdout: '',
    stderr: '',
    code: 0,
  })
  await w.run(['query', '-X', 'POST', '-d', '{"name":"x"}', '/1.0/profiles'])
  await w.run(['query', '-X', 'POST', '-d', 'notjson', '/1.0/profiles'])
  const bodies = w.state.calls.filter((c) => c.method === 'POST').map((c) => c.body)
  assert.deepEqual(bodies, [{ name: 'x' }, 'notjson'])
})

test('query --wait waits on the operation and prints it', async () => {
  const w = fakeWorld()
  w.state.queries.set('POST /1.0/x', asyncEnvelope('/1.0/operations/abc', { id: 'abc', status: 'Running' }))
  w.state.queries.set('GET /1.0/operations/abc/wait', sync({ id: 'abc', status: 'Success' }))
  const r = await w.run(['query', '-X', 'POST', '--wait', '/1.0/x'])
  assert.equal(r.stdout, '{\n\t"id": "abc",\n\t"status": "Success"\n}\n\n')
})

test('query errors match lxc', async () => {
  const w = fakeWorld()
  w.state.queries.set('GET /1.0/nope', errorEnvelope(404, 'not found'))
  assert.deepEqual(await w.run(['query', '/1.0/nope']), { stdout: '', stderr: 'Error: not found\n', code: 1 })
  assert.equal((await w.run(['query', 'nope'])).stderr, 'Error: Query path must start with /\n')
  assert.equal(
    (await w.run(['query', '--project', 'x', '/1.0'])).stderr,
    'Error: --project cannot be used with the query command\n',
  )
})

const lifecycle: Event = {
  type: 'lifecycle',
  timestamp: '2026-11-28T17:23:58.370869729Z',
  location: 'none',
  project: 'default',
  metadata: {
    action: 'profile-created',
    source: '/1.0/profiles/mtest',
    requestor: { username: 'root', protocol: 'unix', address: '@' },
  },
}

/** Runs `corral monitor <args>` against a fake server holding the one lifecycle event. */
async function monitor(...args: string[]) {
  const w = fakeWorld()
  w.state.events.push(lifecycle)
  return { w, r: await w.run(['monitor', ...args]) }
}

test('monitor prints each event as YAML followed by two blank lines', async () => {
  const { w, r } = await monitor('--type', 'lifecycle')
  assert.equal(
    r.stdout,
    `location: none
metadata:
  action: profile-created
  requestor:
    address: '@'
    protocol: unix
    username: root
  source: /1.0/profiles/mtest
project: default
timestamp: "2026-11-28T17:23:58.370869729Z"
type: lifecycle


`,
  )
  assert.ok(w.state.calls.some((c) => c.path === '/1.0/events?type=lifecycle'))
})

test('monitor --format json prints one compact line per event and a blank line', async () => {
  const { r } = await monitor('-f', 'json')
  assert.equal(
    r.stdout,
    '{"location":"none","metadata":{"action":"profile-created","requestor":{"address":"@","protocol":"unix","username":"root"},"source":"/1.0/profiles/mtest"},"project":"default","timestamp":"2026-11-28T17:23:58.370869729Z","type":"lifecycle"}\n\n',
  )
})

test('monitor --pretty prints logrus lines', () => {
  assert.equal(
    prettyEvent(lifecycle),
    'time="2026-11-28T17:23:58Z" level=info msg="Action: profile-created, Source: /1.0/profiles/mtest, Requestor: unix/root (@)"\n',
  )
  const log: Event = {
    type: 'logging',
    timestamp: '2026-11-28T17:23:57.37594296Z',
    location: 'none',
    metadata: {
      level: 'debug',
      message: 'Handling API request',
      context: { url: '/1.0/events', ip: '@', method: 'GET' },
    },
  }
  assert.equal(
    prettyEvent(log),
    'time="2026-11-28T17:23:57Z" level=debug msg="Handling API request" ip=@ method=GET url=/1.0/events\n',
  )
  assert.equal(prettyEvent(log, 'info'), undefined)
})
