// Unit tier: instance commands against the fake LXD; expected text follows lxc 5.0.2 captures (reference LXD, Nov 2026).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { InstanceFull } from '@corral/api'
import { newInstance } from './helpers/fake-lxd.js'
import { fakeWorld, type FakeWorld } from './helpers/run.js'

/** ref-c1 as the reference LXD reported it: running, one NIC with addresses, one snapshot. */
function refC1(): InstanceFull {
  const i = newInstance('ref-c1')
  i.status = 'Running'
  i.status_code = 103
  i.created_at = '2026-11-28T17:49:10.123Z'
  i.last_used_at = '2026-11-28T17:49:12.5Z'
  i.config = { 'volatile.base_image': '0b398d3f8727f3063f30dd31c6e25368ef06b17f7693634674145ee958a14b88' }
  i.state = {
    status: 'Running',
    status_code: 103,
    disk: {},
    memory: { usage: 782336, usage_peak: 1855979, swap_usage: 0, swap_usage_peak: 0 },
    network: {
      eth0: {
        type: 'broadcast',
        state: 'up',
        host_name: 'veth1b02f33b',
        hwaddr: '00:16:3e:fd:62:aa',
        mtu: 1500,
        counters: { bytes_received: 694, bytes_sent: 950, packets_received: 2, packets_sent: 5 },
        addresses: [
          { family: 'inet', address: '198.18.10.158', netmask: '24', scope: 'global' },
          { family: 'inet6', address: 'fe80::216:3eff:fefd:62aa', netmask: '64', scope: 'link' },
        ],
      },
      lo: {
        type: 'loopback',
        state: 'up',
        mtu: 65536,
        counters: { bytes_received: 0, bytes_sent: 0, packets_received: 0, packets_sent: 0 },
        addresses: [
          { family: 'inet', address: '127.0.0.1', netmask: '8', scope: 'local' },
          { family: 'inet6', address: '::1', netmask: '128', scope: 'local' },
        ],
      },
    },
    pid: 16857,
    processes: 2,
    cpu: { usage: 412000000 },
  }
  i.snapshots = [
    {
      ...newInstance('snap0'),
      name: 'snap0',
      created_at: '2026-11-28T17:49:30Z',
      expires_at: '0001-01-01T00:00:00Z',
      size: 0,
    },
  ]
  return i
}

function world(): FakeWorld {
  const w = fakeWorld()
  w.state.lxd.instances.set('ref-c1', refC1())
  w.state.lxd.instances.set('c2', newInstance('c2'))
  return w
}

test('list prints the default columns as lxc does', async () => {
  const r = await world().run(['list'])
  assert.equal(r.code, 0)
  assert.equal(
    r.stdout,
    `+--------+---------+----------------------+------+-----------+-----------+
|  NAME  |  STATE  |         IPV4         | IPV6 |   TYPE    | SNAPSHOTS |
+--------+---------+----------------------+------+-----------+-----------+
| c2     | STOPPED |                      |      | CONTAINER | 0         |
+--------+---------+----------------------+------+-----------+-----------+
| ref-c1 | RUNNING | 198.18.10.158 (eth0) |      | CONTAINER | 1         |
+--------+---------+----------------------+------+-----------+-----------+
`,
  )
})

test('list renders csv and compact, and filters by name and key=value', async () => {
  const w = world()
  assert.equal(
    (await w.run(['list', '-f', 'csv'])).stdout,
    'c2,STOPPED,,,CONTAINER,0\nref-c1,RUNNING,198.18.10.158 (eth0),,CONTAINER,1\n',
  )
  assert.equal(
    (await w.run(['list', 'ref', '--format', 'compact'])).stdout,
    '   NAME    STATE           IPV4          IPV6    TYPE     SNAPSHOTS  \n  ref-c1  RUNNING  198.18.10.158 (eth0)        CONTAINER  1          \n',
  )
  assert.equal((await w.run(['list', 'status=stopped', '-f', 'csv'])).stdout, 'c2,STOPPED,,,CONTAINER,0\n')
  assert.equal((await w.run(['list', '^c.$', '-f', 'csv', '-c', 'n'])).stdout, 'c2\n')
})

test('list -c takes lxc column letters', async () => {
  const r = await world().run(['list', 'ref-c1', '-c', 'nstSbfmlpPu4'])
  assert.equal(
    r.stdout,
    `+--------+---------+-----------+-----------+--------------+--------------+--------------+----------------------+-------+----------+-----------+----------------------+
|  NAME  |  STATE  |   TYPE    | SNAPSHOTS | STORAGE POOL |  BASE IMAGE  | MEMORY USAGE |     LAST USED AT     |  PID  | PROFILES | CPU USAGE |         IPV4         |
+--------+---------+-----------+-----------+--------------+--------------+--------------+----------------------+-------+----------+-----------+----------------------+
| ref-c1 | RUNNING | CONTAINER | 1         | default      | 0b398d3f8727 | 764.00KiB    | 2026/11/28 17:49 UTC | 16857 | default  | 0s        | 198.18.10.158 (eth0) |
+--------+---------+-----------+-----------+--------------+--------------+--------------+----------------------+-------+----------+-----------+----------------------+
`,
  )
  const bad = await world().run(['list', '-c', 'nZ'])
  assert.deepEqual([bad.code, bad.stderr], [1, "Error: Unknown column shorthand char 'Z' in 'nZ'\n"])
})

test('list json and yaml follow api.InstanceFull field order; Go time text drops trailing zeros', async () => {
  const w = fakeWorld()
  w.state.lxd.instances.set('c2', newInstance('c2'))
  const json = (await w.run(['list', '-f', 'json'])).stdout
  assert.ok(
    json.startsWith(
      '[{"architecture":"x86_64","config":{},"devices":{},"ephemeral":false,"profiles":["default"],"stateful":false,"description":"","created_at":"2026-01-02T03:04:05Z","expanded_config":{}',
    ),
  )
  assert.ok(
    json.includes(
      '"project":"default","backups":null,"state":{"status":"Stopped","status_code":102,"disk":{},"memory":{"usage":0,"usage_peak":0,"swap_usage":0,"swap_usage_peak":0},"network":null,"pid":0,"processes":0,"cpu":{"usage":0}},"snapshots":null}]\n',
    ),
  )
  const yaml = (await w.run(['list', '-f', 'yaml'])).stdout
  assert.match(yaml, /\n {2}project: default\n {2}backups: \[\]\n {2}state:\n {4}status: Stopped\n/)
  assert.ok(yaml.endsWith('  snapshots: []\n'))
})

test('info prints the instance as lxc 5.0.2 does, without the backups extension', async () => {
  const w = world()
  const r = await w.run(['info', 'ref-c1'])
  assert.equal(r.code, 0)
  assert.equal(
    r.stdout,
    `Name: ref-c1
Status: RUNNING
Type: container
Architecture: x86_64
PID: 16857
Created: 2026/11/28 17:49 UTC
Last Used: 2026/11/28 17:49 UTC

Resources:
  Processes: 2
  CPU usage:
    CPU usage (in seconds): 0
  Memory usage:
    Memory (current): 764.00KiB
    Memory (peak): 1.77MiB
  Network usage:
    eth0:
      Type: broadcast
      State: UP
      Host interface: veth1b02f33b
      MAC address: 00:16:3e:fd:62:aa
      MTU: 1500
      Bytes received: 694B
      Bytes sent: 950B
      Packets received: 2
      Packets sent: 5
      IP addresses:
        inet:  198.18.10.158/24 (global)
        inet6: fe80::216:3eff:fefd:62aa/64 (link)
    lo:
      Type: loopback
      State: UP
      MTU: 65536
      Bytes received: 0B
      Bytes sent: 0B
      Packets received: 0
      Packets sent: 0
      IP addresses:
        inet:  127.0.0.1/8 (local)
        inet6: ::1/128 (local)

Snapshots:
+-------+----------------------+------------+----------+
| NAME  |       TAKEN AT       | EXPIRES AT | STATEFUL |
+-------+----------------------+------------+----------+
| snap0 | 2026/11/28 17:49 UTC |            | NO       |
+-------+----------------------+------------+----------+
`,
  )
  assert.ok(!w.state.lxd.calls.some((c) => c.path.includes('backups')))
  const stopped = await w.run(['info', 'c2'])
  assert.equal(
    stopped.stdout,
    'Name: c2\nStatus: STOPPED\nType: container\nArchitecture: x86_64\nCreated: 2026/01/02 03:04 UTC\n',
  )
})

test('launch creates from the image, warns about networks on stderr, then starts', async () => {
  const w = fakeWorld()
  const r = await w.run(['launch', 'busybox', 'n1', '-c', 'user.a=b', '-p', 'default', '-s', 'pool1', '-e'])
  assert.equal(r.code, 0)
  assert.equal(r.stdout, 'Creating n1\nStarting n1\n')
  assert.match(r.stderr, /^\nThe instance you are starting doesn't have any network attached to it\.\n/)
  const post = w.state.lxd.calls.find((c) => c.method === 'POST' && c.path === '/1.0/instances')!
  assert.deepEqual(post.body, {
    name: 'n1',
    type: 'container',
    source: { type: 'image', alias: 'busybox' },
    config: { 'user.a': 'b' },
    devices: { root: { type: 'disk', path: '/', pool: 'pool1' } },
    ephemeral: true,
    profiles: ['default'],
  })
  const state = w.state.lxd.calls.find((c) => c.path === '/1.0/instances/n1/state')!
  assert.deepEqual(state.body, { action: 'start', timeout: -1, force: false, stateful: false })
})

test('init -d overrides a profile device and prints Creating (and the network warning on stderr)', async () => {
  const w = fakeWorld()
  w.state.profiles.get('default')!.get('default')!.devices = {
    root: { type: 'disk', path: '/', pool: 'default' },
  }
  const r = await w.run(['init', 'busybox', 'n2', '-d', 'root,size=1GB'])
  assert.deepEqual([r.code, r.stdout], [0, 'Creating n2\n'])
  assert.match(r.stderr, /^\nThe instance you are starting doesn't have any network attached to it\.\n/)
  const post = w.state.lxd.calls.find((c) => c.method === 'POST' && c.path === '/1.0/instances')!
  assert.deepEqual((post.body as { devices: unknown }).devices, {
    root: { type: 'disk', path: '/', pool: 'default', size: '1GB' },
  })
})

test('stop, start, restart and delete send lxc requests; delete refuses a running instance unless forced', async () => {
  const w = world()
  assert.equal((await w.run(['stop', 'ref-c1', '--force', '--timeout', '5'])).code, 0)
  const stop = w.state.lxd.calls.filter((c) => c.path.endsWith('/state')).pop()!
  assert.deepEqual(stop.body, { action: 'stop', timeout: 5, force: true, stateful: false })
  await w.run(['start', 'ref-c1'])
  const refused = await w.run(['delete', 'ref-c1'])
  assert.deepEqual(
    [refused.code, refused.stderr],
    [1, 'Error: The instance is currently running, stop it first or pass --force\n'],
  )
  const forced = await w.run(['delete', '-f', 'ref-c1'])
  assert.equal(forced.code, 0)
  const tail = w.state.lxd.calls.filter((c) => !c.path.includes('/operations/')).slice(-3)
  assert.deepEqual(
    tail.map((c) => `${c.method} ${c.path}`),
    ['GET /1.0/instances/ref-c1', 'PUT /1.0/instances/ref-c1/state', 'DELETE /1.0/instances/ref-c1'],
  )
  assert.equal(w.state.lxd.instances.has('ref-c1'), false)
})

test('snapshot, restore, snapshot delete and rename send the requests lxc sends', async () => {
  const w = world()
  assert.deepEqual(await w.run(['snapshot', 'c2']), { stdout: '', stderr: '', code: 0 })
  await w.run(['snapshot', 'c2', 's1'])
  await w.run(['restore', 'c2', 's1'])
  await w.run(['delete', 'c2/s1'])
  await w.run(['rename', 'c2/snap0', 'c2/s9'])
  const calls = w.state.lxd.calls.filter((c) => !c.path.includes('/operations/') && c.method !== 'GET')
  assert.deepEqual(
    calls.map((c) => [c.method, c.path, c.body]),
    [
      ['POST', '/1.0/instances/c2/snapshots', { name: '', stateful: false }],
      ['POST', '/1.0/instances/c2/snapshots', { name: 's1', stateful: false }],
      [
        'PUT',
        '/1.0/instances/c2',
        {
          architecture: 'x86_64',
          config: {},
          devices: {},
          ephemeral: false,
          profiles: ['default'],
          stateful: false,
          description: '',
          restore: 's1',
        },
      ],
      ['DELETE', '/1.0/instances/c2/snapshots/s1', undefined],
      ['POST', '/1.0/instances/c2/snapshots/snap0', { name: 's9' }],
    ],
  )
})

test('a failed start operation adds lxc hint; a refused request and a missing instance do not', async () => {
  const w = world()
  w.state.lxd.failNextOperation = 'Failed to run: lxc-start'
  const r = await w.run(['start', 'c2'])
  assert.deepEqual(
    [r.code, r.stderr],
    [1, 'Error: Failed to run: lxc-start\nTry `corral info --show-log c2` for more info\n'],
  )
  const missing = await w.run(['start', 'nope'])
  assert.equal(missing.stderr, 'Error: Instance not found\n')
  const del = await w.run(['delete', 'nope'])
  assert.equal(del.stderr, 'Error: Failed checking instance exists "local:nope": Instance not found\n')
  const snap = await w.run(['delete', 'c2/zz'])
  assert.equal(
    snap.stderr,
    'Error: Failed checking instance snapshot exists "local:c2/zz": Snapshot not found\n',
  )
  const bad = await w.run(['stop', 'c2', '--timeout', 'x'])
  assert.equal(
    bad.stderr,
    'Error: invalid argument "x" for "--timeout" flag: strconv.ParseInt: parsing "x": invalid syntax\n',
  )
})

test('rename and move rename the instance', async () => {
  const w = world()
  assert.equal((await w.run(['move', 'c2', 'c3'])).code, 0)
  assert.equal((await w.run(['rename', 'c3', 'c4'])).code, 0)
  assert.deepEqual([...w.state.lxd.instances.keys()].sort(), ['c4', 'ref-c1'])
})
