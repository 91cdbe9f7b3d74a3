// Unit tier: `corral network ...` against an in-memory server; expected text is what lxc 5.0.2 prints.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { NetworkState } from '@corral/api'
import { newInstance } from './helpers/fake-lxd.js'
import { fakeNetworks } from './helpers/fake-networks.js'
import { fakeWorld, type FakeWorld } from './helpers/run.js'

const create = ['ipv4.address=198.18.9.1/24', 'ipv6.address=fd42:9::1/64', 'ipv4.nat=false', 'ipv6.nat=false']

async function worldWithBridge(): Promise<FakeWorld> {
  const w = fakeWorld()
  const r = await w.run(['network', 'create', 'crtn0', ...create])
  assert.deepEqual(r, { stdout: 'Network crtn0 created\n', stderr: '', code: 0 })
  return w
}

const nets = (w: FakeWorld) => fakeNetworks(w.state.lxd).networks

test('network create sends the name, type and keys, and prints lxc messages', async () => {
  const w = await worldWithBridge()
  const post = w.state.lxd.calls.find((c) => c.method === 'POST' && c.path === '/1.0/networks')!
  assert.deepEqual(post.body, {
    name: 'crtn0',
    type: '',
    config: {
      'ipv4.address': '198.18.9.1/24',
      'ipv6.address': 'fd42:9::1/64',
      'ipv4.nat': 'false',
      'ipv6.nat': 'false',
    },
    description: '',
  })
  const typed = await w.run(['network', 'create', 'crtn1', '-t', 'bridge', '--target', 'm1', 'user.x='])
  assert.deepEqual([typed.code, typed.stdout], [0, 'Network crtn1 created\n'])
  assert.equal(nets(w).get('crtn1')!.config['user.x'], '')
  const quiet = await w.run(['-q', 'network', 'create', 'crtn2', 'ipv4.address=none'])
  assert.deepEqual(quiet, { stdout: '', stderr: '', code: 0 })
})

test('network create refuses what lxc refuses', async () => {
  const w = await worldWithBridge()
  assert.deepEqual(await w.run(['network', 'create', 'crtbad', 'foo']), {
    stdout: '',
    stderr: 'Error: Bad key/value pair: foo\n',
    code: 1,
  })
  assert.equal(w.state.lxd.calls.filter((c) => c.method === 'POST').length, 1)
  assert.deepEqual(await w.run(['network', 'create', 'crtn0']), {
    stdout: '',
    stderr: 'Error: The network already exists\n',
    code: 1,
  })
  assert.deepEqual(await w.run(['network', 'create', 'crtn3', 'bogus=1']), {
    stdout: '',
    stderr: 'Error: Invalid option "bogus"\n',
    code: 1,
  })
  const none = await w.run(['network', 'create'])
  assert.equal(none.code, 0)
  assert.match(none.stdout, /^Description:\n {2}Create new networks\n/)
})

test('network list renders every lxc format; loopback only in json and yaml', async () => {
  const w = await worldWithBridge()
  assert.equal(
    (await w.run(['network', 'list'])).stdout,
    `+-------+----------+---------+---------------+--------------+-------------+---------+---------+
| NAME  |   TYPE   | MANAGED |     IPV4      |     IPV6     | DESCRIPTION | USED BY |  STATE  |
+-------+----------+---------+---------------+--------------+-------------+---------+---------+
| crtn0 | bridge   | YES     | 198.18.9.1/24 | fd42:9::1/64 |             | 0       | CREATED |
+-------+----------+---------+---------------+--------------+-------------+---------+---------+
| eth0  | physical | NO      |               |              |             | 0       |         |
+-------+----------+---------+---------------+--------------+-------------+---------+---------+
`,
  )
  assert.equal(
    (await w.run(['network', 'ls', '-f', 'csv'])).stdout,
    'crtn0,bridge,YES,198.18.9.1/24,fd42:9::1/64,,0,CREATED\neth0,physical,NO,,,,0,\n',
  )
  assert.equal(
    (await w.run(['network', 'list', 'local:', '--format', 'compact'])).stdout,
    '  NAME     TYPE    MANAGED      IPV4           IPV6      DESCRIPTION  USED BY   STATE   \n' +
      '  crtn0  bridge    YES      198.18.9.1/24  fd42:9::1/64               0        CREATED  \n' +
      '  eth0   physical  NO                                                 0                 \n',
  )
  const json = (await w.run(['network', 'list', '-f', 'json'])).stdout
  assert.equal(
    json,
    '[{"config":{},"description":"","name":"eth0","type":"physical","used_by":[],"managed":false,"status":"","locations":["none"]},' +
      '{"config":{},"description":"","name":"lo","type":"loopback","used_by":[],"managed":false,"status":"","locations":["none"]},' +
      '{"config":{"ipv4.address":"198.18.9.1/24","ipv4.nat":"false","ipv6.address":"fd42:9::1/64","ipv6.nat":"false"},' +
      '"description":"","name":"crtn0","type":"bridge","used_by":[],"managed":true,"status":"Created","locations":["none"]}]\n',
  )
  const yaml = (await w.run(['network', 'list', '-f', 'yaml'])).stdout
  assert.match(
    yaml,
    /^- config: \{\}\n {2}description: ""\n {2}name: eth0\n {2}type: physical\n {2}used_by: \[\]\n/,
  )
  assert.match(yaml, /\n- config:\n {4}ipv4.address: 198.18.9.1\/24\n {4}ipv4.nat: "false"\n/)
})

test('network list refuses a name filter, an unknown remote and an unknown format', async () => {
  const w = await worldWithBridge()
  const cases: [string[], string][] = [
    [['network', 'list', 'crtn0'], "Error: Filtering isn't supported yet\n"],
    [['network', 'list', 'nope:'], 'Error: The remote "nope" doesn\'t exist\n'],
    [['network', 'list', '-f', 'bogus'], 'Error: Invalid format "bogus"\n'],
  ]
  for (const [args, stderr] of cases) assert.deepEqual(await w.run(args), { stdout: '', stderr, code: 1 })
})

test('network show prints the network as go-yaml would, used_by sorted', async () => {
  const w = await worldWithBridge()
  nets(w).get('crtn0')!.used_by = ['/1.0/profiles/default', '/1.0/instances/c1']
  assert.equal(
    (await w.run(['network', 'show', 'crtn0', '--target', 'x'])).stdout,
    `config:
  ipv4.address: 198.18.9.1/24
  ipv4.nat: "false"
  ipv6.address: fd42:9::1/64
  ipv6.nat: "false"
description: ""
name: crtn0
type: bridge
used_by:
- /1.0/instances/c1
- /1.0/profiles/default
managed: true
status: Created
locations:
- none
`,
  )
  assert.equal(
    (await w.run(['network', 'show', 'lo'])).stdout,
    'config: {}\ndescription: ""\nname: lo\ntype: loopback\nused_by: []\nmanaged: false\nstatus: ""\nlocations:\n- none\n',
  )
  assert.deepEqual(await w.run(['network', 'show', 'nope']), {
    stdout: '',
    stderr: 'Error: Network not found\n',
    code: 1,
  })
  assert.deepEqual(await w.run(['network', 'show', 'local:']), {
    stdout: '',
    stderr: 'Error: Missing network name\n',
    code: 1,
  })
})

test('network get prints a value, and nothing at all for a key that is not set', async () => {
  const w = await worldWithBridge()
  assert.deepEqual(await w.run(['network', 'get', 'crtn0', 'ipv4.address']), {
    stdout: '198.18.9.1/24\n',
    stderr: '',
    code: 0,
  })
  assert.deepEqual(await w.run(['network', 'get', 'crtn0', 'nope']), { stdout: '', stderr: '', code: 0 })
  assert.equal((await w.run(['network', 'get', 'nope', 'x'])).stderr, 'Error: Network not found\n')
})

test('network set and unset GET then PUT with the ETag; unset sends the key empty', async () => {
  const w = await worldWithBridge()
  w.state.lxd.calls.length = 0
  assert.deepEqual(await w.run(['network', 'set', 'crtn0', 'user.a', 'b']), {
    stdout: '',
    stderr: '',
    code: 0,
  })
  assert.equal((await w.run(['network', 'set', 'crtn0', 'user.b=c', 'user.c=d'])).code, 0)
  assert.equal((await w.run(['network', 'unset', 'crtn0', 'user.a'])).code, 0)
  const puts = w.state.lxd.calls.filter((c) => c.method === 'PUT')
  assert.equal(puts.length, 3)
  assert.deepEqual((puts[2]!.body as { config: Record<string, string> }).config['user.a'], '')
  assert.deepEqual(nets(w).get('crtn0')!.config, {
    'ipv4.address': '198.18.9.1/24',
    'ipv6.address': 'fd42:9::1/64',
    'ipv4.nat': 'false',
    'ipv6.nat': 'false',
    'user.b': 'c',
    'user.c': 'd',
  })
})

test('network set and unset refuse what lxc refuses', async () => {
  const w = await worldWithBridge()
  const cases: [string[], string][] = [
    [['network', 'set', 'eth0', 'foo=bar'], 'Error: Only managed networks can be modified\n'],
    [['network', 'set', 'crtn0', 'foo=bar'], 'Error: Invalid option "foo"\n'],
    [['network', 'set', 'crtn0', 'foo'], 'Error: Invalid key=value configuration: foo\n'],
    [['network', 'unset', 'crtn0', 'foo'], 'Error: Invalid option "foo"\n'],
    [['network', 'unset', 'eth0', 'foo'], 'Error: Only managed networks can be modified\n'],
  ]
  for (const [args, stderr] of cases) assert.deepEqual(await w.run(args), { stdout: '', stderr, code: 1 })
  const help = await w.run(['network', 'set', 'crtn0'])
  assert.equal(help.code, 1)
  assert.match(
    help.stdout,
    /For backward compatibility, a single configuration key may still be set with:\n {6}corral network set \[<remote>:\]<network> <key> <value>\n/,
  )
  assert.equal(help.stderr, 'Error: Invalid number of arguments\n')
})

test('network edit PUTs stdin as is, and opens the editor with lxc header on a terminal', async () => {
  const w = await worldWithBridge()
  w.state.lxd.calls.length = 0
  const stdin =
    'config:\n  ipv4.address: 198.18.9.1/24\n  ipv6.address: none\n  ipv4.nat: false\ndescription: hi\n'
  assert.deepEqual(await w.run(['network', 'edit', 'crtn0'], { stdin }), { stdout: '', stderr: '', code: 0 })
  assert.deepEqual(
    w.state.lxd.calls.map((c) => [c.method, c.path]),
    [['PUT', '/1.0/networks/crtn0']],
  )
  assert.deepEqual(nets(w).get('crtn0')!.config, {
    'ipv4.address': '198.18.9.1/24',
    'ipv6.address': 'none',
    'ipv4.nat': 'false',
  })
  assert.equal(nets(w).get('crtn0')!.description, 'hi')
  const r = await w.run(['network', 'edit', 'crtn0'], {
    editor: (t) => t.replace('description: hi', 'description: edited'),
  })
  assert.equal(r.code, 0)
  assert.match(w.edited[0]!, /^### This is a YAML representation of the network\.\n/)
  assert.match(
    w.edited[0]!,
    /### Note that only the configuration can be changed\.\n\nconfig:\n {2}ipv4.address/,
  )
  assert.equal(nets(w).get('crtn0')!.description, 'edited')
  const host = await w.run(['network', 'edit', 'eth0'])
  assert.deepEqual([host.code, host.stderr], [1, 'Error: Only managed networks can be modified\n'])
})

test('network edit on a terminal retries after a refused change', async () => {
  const w = await worldWithBridge()
  let n = 0
  const r = await w.run(['network', 'edit', 'crtn0'], {
    editor: (t) =>
      ++n === 1 ? t.replace('\n  ipv4.nat:', '\n  bogus:') : t.replace('\n  bogus:', '\n  ipv4.nat:'),
  })
  assert.equal(r.code, 0)
  assert.equal(w.prompts.length, 1)
  assert.match(w.prompts[0]!, /^Config parsing error: Invalid option "bogus"\nPress enter/)
})

test('network rename and delete print lxc messages; quiet prints nothing', async () => {
  const w = await worldWithBridge()
  assert.deepEqual(await w.run(['network', 'rename', 'crtn0', 'crtn1']), {
    stdout: 'Network crtn0 renamed to crtn1\n',
    stderr: '',
    code: 0,
  })
  assert.deepEqual(await w.run(['network', 'mv', 'crtn1', 'crtn2', '-q']), {
    stdout: '',
    stderr: '',
    code: 0,
  })
  nets(w).get('crtn2')!.used_by = ['/1.0/profiles/default']
  assert.deepEqual(await w.run(['network', 'rm', 'crtn2']), {
    stdout: '',
    stderr: 'Error: The network is currently in use\n',
    code: 1,
  })
  nets(w).get('crtn2')!.used_by = []
  assert.deepEqual(await w.run(['network', 'delete', 'crtn2']), {
    stdout: 'Network crtn2 deleted\n',
    stderr: '',
    code: 0,
  })
  assert.equal((await w.run(['network', 'delete', 'crtn2'])).stderr, 'Error: Network not found\n')
})

const bridgeState: NetworkState = {
  addresses: [
    { family: 'inet', address: '198.18.9.1', netmask: '24', scope: 'global' },
    { family: 'inet6', address: 'fd42:9::1', netmask: '64', scope: 'global' },
  ],
  counters: { bytes_received: 999, bytes_sent: 13280000, packets_received: 0, packets_sent: 3 },
  hwaddr: 'a6:39:c2:4f:b2:1a',
  mtu: 1500,
  state: 'up',
  type: 'broadcast',
  bond: null,
  bridge: {
    id: '8000.000000000000',
    stp: false,
    forward_delay: 1500,
    vlan_default: 0,
    vlan_filtering: false,
    upper_devices: ['veth1', 'veth2'],
  },
  vlan: null,
}

test('network info prints the state as lxc does (SI byte units, bridge section)', async () => {
  const w = await worldWithBridge()
  fakeNetworks(w.state.lxd).states.set('crtn0', bridgeState)
  assert.deepEqual(await w.run(['network', 'info', 'crtn0']), {
    stdout: `Name: crtn0
MAC address: a6:39:c2:4f:b2:1a
MTU: 1500
State: up
Type: broadcast

IP addresses:
  inet\t198.18.9.1/24 (global)
  inet6\tfd42:9::1/64 (global)

Network usage:
  Bytes received: 999B
  Bytes sent: 13.28MB
  Packets received: 0
  Packets sent: 3

Bridge:
  ID: 8000.000000000000
  STP: false
  Forward delay: 1500
  Default VLAN ID: 0
  VLAN filtering: false
  Upper devices: veth1, veth2
`,
    stderr: '',
    code: 0,
  })
  fakeNetworks(w.state.lxd).states.set('eth0', { ...bridgeState, addresses: [], bridge: null, mtu: 9000 })
  const eth0 = await w.run(['network', 'info', 'eth0'])
  assert.match(
    eth0.stdout,
    /^Name: eth0\nMAC address: a6:39:c2:4f:b2:1a\nMTU: 9000\nState: up\nType: broadcast\n\nNetwork usage:\n/,
  )
  assert.doesNotMatch(eth0.stdout, /IP addresses|Bridge:/)
  assert.deepEqual(await w.run(['network', 'info', 'crtn0', '--target', 'm1']), {
    stdout: '',
    stderr: 'Error: To use --target, the destination remote must be a cluster\n',
    code: 1,
  })
})

test('network list-leases renders the leases in every format', async () => {
  const w = await worldWithBridge()
  fakeNetworks(w.state.lxd).leases.set('crtn0', [
    { hostname: 'crtn0.gw', hwaddr: '', address: '198.18.9.1', type: 'gateway', location: 'none' },
    { hostname: 'c1', hwaddr: '00:16:3e:00:00:01', address: '198.18.9.10', type: 'static', location: 'none' },
  ])
  assert.equal(
    (await w.run(['network', 'list-leases', 'crtn0'])).stdout,
    `+----------+-------------------+-------------+---------+
| HOSTNAME |    MAC ADDRESS    | IP ADDRESS  |  TYPE   |
+----------+-------------------+-------------+---------+
| c1       | 00:16:3e:00:00:01 | 198.18.9.10 | STATIC  |
+----------+-------------------+-------------+---------+
| crtn0.gw |                   | 198.18.9.1  | GATEWAY |
+----------+-------------------+-------------+---------+
`,
  )
  assert.equal(
    (await w.run(['network', 'list-leases', 'crtn0', '-f', 'csv'])).stdout,
    'c1,00:16:3e:00:00:01,198.18.9.10,STATIC\ncrtn0.gw,,198.18.9.1,GATEWAY\n',
  )
  assert.equal(
    (await w.run(['network', 'list-leases', 'crtn0', '-f', 'json'])).stdout,
    '[{"hostname":"crtn0.gw","hwaddr":"","address":"198.18.9.1","type":"gateway","location":"none"},' +
      '{"hostname":"c1","hwaddr":"00:16:3e:00:00:01","address":"198.18.9.10","type":"static","location":"none"}]\n',
  )
  assert.equal(
    (await w.run(['network', 'list-leases', 'crtn0', '-f', 'yaml'])).stdout,
    '- hostname: crtn0.gw\n  hwaddr: ""\n  address: 198.18.9.1\n  type: gateway\n  location: none\n' +
      '- hostname: c1\n  hwaddr: 00:16:3e:00:00:01\n  address: 198.18.9.10\n  type: static\n  location: none\n',
  )
  assert.deepEqual(await w.run(['network', 'list-leases', 'eth0']), {
    stdout: '',
    stderr: 'Error: Network not found\n',
    code: 1,
  })
})

async function worldWithInstance(extensions: string[]): Promise<FakeWorld> {
  const w = await worldWithBridge()
  w.state.server.api_extensions = extensions
  w.state.lxd.instances.set('c1', newInstance('c1'))
  nets(w).set('br9', { ...nets(w).get('eth0')!, name: 'br9', type: 'bridge' })
  return w
}

test('network attach adds network= for a managed network when the server has instance_nic_network', async () => {
  const w = await worldWithInstance(['etag', 'instance_nic_network'])
  assert.deepEqual(await w.run(['network', 'attach', 'crtn0', 'c1']), { stdout: '', stderr: '', code: 0 })
  assert.deepEqual(await w.run(['network', 'attach', 'crtn0', 'c1', 'eth1', 'eth1']), {
    stdout: '',
    stderr: '',
    code: 0,
  })
  assert.equal((await w.run(['network', 'attach', 'br9', 'c1', 'eth2'])).code, 0)
  assert.equal((await w.run(['network', 'attach', 'eth0', 'c1', 'eth3'])).code, 0)
  assert.deepEqual(w.state.lxd.instances.get('c1')!.devices, {
    crtn0: { type: 'nic', network: 'crtn0' },
    eth1: { type: 'nic', network: 'crtn0', name: 'eth1' },
    eth2: { type: 'nic', nictype: 'bridged', parent: 'br9' },
    eth3: { type: 'nic', nictype: 'macvlan', parent: 'eth0' },
  })
  const puts = w.state.lxd.calls.filter((c) => c.method === 'PUT' && c.path === '/1.0/instances/c1')
  assert.equal(puts.length, 4)
})

test('network attach uses nictype=bridged parent= on a server without instance_nic_network, as lxc', async () => {
  const w = await worldWithInstance(['etag'])
  assert.equal((await w.run(['network', 'attach', 'crtn0', 'c1'])).code, 0)
  assert.deepEqual(w.state.lxd.instances.get('c1')!.devices, {
    crtn0: { type: 'nic', nictype: 'bridged', parent: 'crtn0' },
  })
})

test('network attach and detach refuse what lxc refuses', async () => {
  const w = await worldWithInstance(['instance_nic_network'])
  await w.run(['network', 'attach', 'crtn0', 'c1'])
  await w.run(['network', 'attach', 'crtn0', 'c1', 'eth1'])
  w.state.lxd.instances.get('c1')!.devices.root = { type: 'disk', path: '/', pool: 'default' }
  const cases: [string[], string][] = [
    [['network', 'attach', 'crtn0', 'c1'], 'Error: Device already exists: crtn0\n'],
    [['network', 'attach', 'nope', 'c1'], 'Error: Network not found\n'],
    [['network', 'attach', 'crtn0', 'nope'], 'Error: Instance not found\n'],
    [['network', 'attach', 'local:', 'c1'], 'Error: Missing network name\n'],
    [['network', 'detach', 'crtn0', 'c1'], 'Error: More than one device matches, specify the device name\n'],
    [['network', 'detach', 'br9', 'c1'], 'Error: No device found for this network\n'],
    [['network', 'detach', 'crtn0', 'c1', 'zz'], "Error: The specified device doesn't exist\n"],
    [['network', 'detach', 'crtn0', 'c1', 'root'], "Error: The specified device doesn't match the network\n"],
  ]
  for (const [args, stderr] of cases) assert.deepEqual(await w.run(args), { stdout: '', stderr, code: 1 })
  for (const args of [
    ['network', 'attach', 'crtn0'],
    ['network', 'attach', 'a', 'b', 'c', 'd', 'e'],
    ['network', 'detach', 'a', 'b', 'c', 'd'],
  ]) {
    const r = await w.run(args)
    assert.deepEqual([r.code, r.stderr], [1, 'Error: Invalid number of arguments\n'])
    assert.match(r.stdout, /^Description:\n/)
  }
  assert.deepEqual(await w.run(['network', 'detach', 'crtn0', 'c1', 'eth1']), {
    stdout: '',
    stderr: '',
    code: 0,
  })
  assert.deepEqual(await w.run(['network', 'detach', 'crtn0', 'c1']), { stdout: '', stderr: '', code: 0 })
  assert.deepEqual(w.state.lxd.instances.get('c1')!.devices, {
    root: { type: 'disk', path: '/', pool: 'default' },
  })
})

test('network attach-profile adds a bridged NIC with parent= (as lxc), detach-profile removes it', async () => {
  const w = await worldWithInstance(['instance_nic_network'])
  assert.deepEqual(await w.run(['network', 'attach-profile', 'crtn0', 'default']), {
    stdout: '',
    stderr: '',
    code: 0,
  })
  assert.equal((await w.run(['network', 'attach-profile', 'eth0', 'default', 'm0', 'eth9'])).code, 0)
  const devices = () => w.state.profiles.get('default')!.get('default')!.devices
  assert.deepEqual(devices(), {
    crtn0: { type: 'nic', nictype: 'bridged', parent: 'crtn0' },
    m0: { type: 'nic', nictype: 'macvlan', parent: 'eth0', name: 'eth9' },
  })
  const cases: [string[], string][] = [
    [['network', 'attach-profile', 'crtn0', 'default'], 'Error: Device already exists: crtn0\n'],
    [['network', 'attach-profile', 'crtn0', 'nope'], 'Error: Profile not found\n'],
    [['network', 'detach-profile', 'br9', 'default'], 'Error: No device found for this network\n'],
    [
      ['network', 'detach-profile', 'crtn0', 'default', 'm0'],
      "Error: The specified device doesn't match the network\n",
    ],
  ]
  for (const [args, stderr] of cases) assert.deepEqual(await w.run(args), { stdout: '', stderr, code: 1 })
  assert.equal((await w.run(['network', 'detach-profile', 'crtn0', 'default'])).code, 0)
  assert.equal((await w.run(['network', 'detach-profile', 'eth0', 'default', 'm0'])).code, 0)
  assert.deepEqual(devices(), {})
})

test('network help lists the subcommands lxc has', async () => {
  const r = await fakeWorld().run(['network'])
  assert.equal(r.code, 0)
  for (const c of [
    'attach',
    'attach-profile',
    'create',
    'delete',
    'detach',
    'detach-profile',
    'edit',
    'get',
    'info',
    'list',
    'list-leases',
    'rename',
    'set',
    'show',
    'unset',
  ])
    assert.match(r.stdout, new RegExp(`\\n  ${c} +\\S`))
})
