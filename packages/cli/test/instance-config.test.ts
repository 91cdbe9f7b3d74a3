// Unit tier: `config` instance forms, `config device` and `profile add|assign|remove` against the fake LXD.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { newInstance } from './helpers/fake-lxd.js'
import { fakeWorld, type FakeWorld } from './helpers/run.js'

function world(): FakeWorld {
  const w = fakeWorld()
  const c1 = newInstance('c1', { config: { 'user.a': '1' }, devices: { d1: { type: 'none' } } })
  c1.expanded_devices = { d1: { type: 'none' }, eth0: { type: 'nic', nictype: 'bridged', parent: 'br0' } }
  c1.expanded_config = { 'user.a': '1', 'user.p': 'from-profile' }
  w.state.lxd.instances.set('c1', c1)
  return w
}

const lastPut = (w: FakeWorld): unknown =>
  w.state.lxd.calls.filter((c) => c.method === 'PUT' && c.path === '/1.0/instances/c1').pop()?.body

test('config get, set, unset and show act on the instance', async () => {
  const w = world()
  assert.equal((await w.run(['config', 'get', 'c1', 'user.a'])).stdout, '1\n')
  assert.equal((await w.run(['config', 'get', 'c1', 'user.p'])).stdout, '\n')
  assert.equal((await w.run(['config', 'get', 'c1', 'user.p', '--expanded'])).stdout, 'from-profile\n')
  assert.equal((await w.run(['config', 'set', 'c1', 'user.b=2', 'user.c=3'])).code, 0)
  assert.deepEqual((lastPut(w) as { config: unknown }).config, {
    'user.a': '1',
    'user.b': '2',
    'user.c': '3',
  })
  await w.run(['config', 'set', 'c1', 'user.d', 'x y'])
  assert.equal((await w.run(['config', 'unset', 'c1', 'user.a'])).code, 0)
  assert.deepEqual((lastPut(w) as { config: unknown }).config, {
    'user.b': '2',
    'user.c': '3',
    'user.d': 'x y',
  })
  assert.equal(
    (await w.run(['config', 'show', 'c1'])).stdout,
    'architecture: x86_64\nconfig:\n  user.b: "2"\n  user.c: "3"\n  user.d: x y\ndevices:\n  d1:\n    type: none\nephemeral: false\nprofiles:\n- default\nstateful: false\ndescription: ""\n',
  )
  assert.match(
    (await w.run(['config', 'show', 'c1', '--expanded'])).stdout,
    /\n {2}eth0:\n {4}nictype: bridged\n/,
  )
})

test('config set with one key=value still targets the server, as lxc', async () => {
  const w = world()
  assert.equal((await w.run(['config', 'set', 'core.https_address=:8443'])).code, 0)
  assert.equal(w.state.server.config['core.https_address'], ':8443')
})

test('config edit reads YAML from stdin and PUTs it', async () => {
  const w = world()
  const r = await w.run(['config', 'edit', 'c1'], {
    stdin: 'config:\n  user.z: "9"\ndevices: {}\nprofiles:\n- default\n',
  })
  assert.equal(r.code, 0)
  assert.deepEqual(lastPut(w), {
    architecture: 'x86_64',
    config: { 'user.z': '9' },
    devices: {},
    ephemeral: false,
    profiles: ['default'],
    stateful: false,
    description: '',
  })
})

test('config device add, list, show, get, set, unset and remove print what lxc prints', async () => {
  const w = world()
  assert.equal(
    (await w.run(['config', 'device', 'add', 'c1', 'd2', 'disk', 'source=/a', 'path=/b'])).stdout,
    'Device d2 added to c1\n',
  )
  assert.equal((await w.run(['config', 'device', 'list', 'c1'])).stdout, 'd1\nd2\n')
  assert.equal((await w.run(['config', 'device', 'get', 'c1', 'd2', 'path'])).stdout, '/b\n')
  assert.equal((await w.run(['config', 'device', 'get', 'c1', 'eth0', 'parent'])).stdout, 'br0\n')
  assert.equal((await w.run(['config', 'device', 'set', 'c1', 'd2', 'readonly=true'])).code, 0)
  assert.equal((await w.run(['config', 'device', 'unset', 'c1', 'd2', 'source'])).code, 0)
  assert.equal(
    (await w.run(['config', 'device', 'show', 'c1'])).stdout,
    'd1:\n  type: none\nd2:\n  path: /b\n  readonly: "true"\n  type: disk\n',
  )
  assert.equal(
    (await w.run(['config', 'device', 'remove', 'c1', 'd1', 'd2'])).stdout,
    'Device d1 removed from c1\nDevice d2 removed from c1\n',
  )
  const dup = await w.run(['config', 'device', 'add', 'c1', 'x', 'none', 'bad'])
  assert.deepEqual([dup.code, dup.stderr], [1, 'Error: No value found in "bad"\n'])
})

test('config device set on a profile device refuses; override copies it into the instance', async () => {
  const w = world()
  const refused = await w.run(['config', 'device', 'set', 'c1', 'eth0', 'mtu=1400'])
  assert.deepEqual(
    [refused.code, refused.stderr],
    [
      1,
      'Error: Device from profile(s) cannot be modified for individual instance. Override device or modify profile instead\n',
    ],
  )
  const r = await w.run(['config', 'device', 'override', 'c1', 'eth0', 'mtu=1400'])
  assert.deepEqual([r.code, r.stdout], [0, 'Device eth0 overridden for c1\n'])
  assert.deepEqual((lastPut(w) as { devices: unknown }).devices, {
    d1: { type: 'none' },
    eth0: { type: 'nic', nictype: 'bridged', parent: 'br0', mtu: '1400' },
  })
  const missing = await w.run(['config', 'device', 'override', 'c1', 'nope'])
  assert.equal(missing.stderr, "Error: The profile device doesn't exist\n")
})

test('profile add, assign and remove change the instance profiles', async () => {
  const w = world()
  assert.equal((await w.run(['profile', 'add', 'c1', 'p2'])).stdout, 'Profile p2 added to c1\n')
  assert.deepEqual((lastPut(w) as { profiles: unknown }).profiles, ['default', 'p2'])
  assert.equal(
    (await w.run(['profile', 'assign', 'c1', 'default,p3'])).stdout,
    'Profiles default,p3 applied to c1\n',
  )
  assert.equal((await w.run(['profile', 'remove', 'c1', 'p3'])).stdout, 'Profile p3 removed from c1\n')
  const r = await w.run(['profile', 'remove', 'c1', 'zz'])
  assert.equal(r.stderr, "Error: Profile zz isn't currently applied to c1\n")
  assert.equal((await w.run(['profile', 'assign', 'c1', ''])).stdout, 'Profiles removed from c1\n')
})
