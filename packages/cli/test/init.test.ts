// Unit tier: `corral init` / `corral admin init` server setup (--auto, --preseed, --dump, questions) on a fake server.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fakeNetworks, hostInterface } from './helpers/fake-networks.js'
import { fakeWorld, type FakeWorld } from './helpers/run.js'

/** Every request that changes something, on both halves of the fake. */
const writes = (w: FakeWorld): string[] =>
  [...w.state.calls, ...w.state.lxd.calls]
    .filter((c) => c.method !== 'GET')
    .map((c) => `${c.method} ${c.path.split('?')[0]!}`)

const clearCalls = (w: FakeWorld): void => {
  w.state.calls.length = 0
  w.state.lxd.calls.length = 0
}

const nets = (w: FakeWorld) => fakeNetworks(w.state.lxd).networks
const defaultProfile = (w: FakeWorld) => w.state.profiles.get('default')!.get('default')!

test('init --auto creates pool default, bridge corralbr0 (auto addresses) and the default profile devices', async () => {
  const w = fakeWorld()
  assert.deepEqual(await w.run(['init', '--auto']), { stdout: '', stderr: '', code: 0 })
  assert.deepEqual(writes(w).sort(), [
    'POST /1.0/networks',
    'POST /1.0/storage-pools',
    'PUT /1.0/profiles/default',
  ])
  const post = w.state.lxd.calls.find((c) => c.method === 'POST' && c.path === '/1.0/networks')!
  assert.deepEqual(post.body, {
    name: 'corralbr0',
    type: '',
    description: '',
    config: { 'ipv4.address': 'auto', 'ipv6.address': 'auto' },
  })
  assert.deepEqual(
    w.state.lxd.pools.map((p) => [p.name, p.driver]),
    [['default', 'dir']],
  )
  assert.deepEqual(defaultProfile(w).devices, {
    root: { type: 'disk', path: '/', pool: 'default' },
    eth0: { type: 'nic', network: 'corralbr0', name: 'eth0' },
  })
  assert.equal(defaultProfile(w).description, 'Default LXD profile')
})

test('init --auto is idempotent: a second run changes nothing', async () => {
  const w = fakeWorld()
  await w.run(['init', '--auto'])
  clearCalls(w)
  assert.deepEqual(await w.run(['admin', 'init', '--auto']), { stdout: '', stderr: '', code: 0 })
  assert.deepEqual(writes(w), [])
})

test('init --auto skips the bridge when a managed network or a profile NIC exists, and picks a free name', async () => {
  const w = fakeWorld()
  nets(w).set('corralbr0', hostInterface('corralbr0', 'bridge'))
  assert.equal((await w.run(['init', '--auto', '--storage-backend', 'btrfs'])).code, 0)
  assert.ok(nets(w).get('corralbr1')?.managed)
  assert.equal(w.state.lxd.pools[0]!.driver, 'btrfs')
  const w2 = fakeWorld()
  defaultProfile(w2).devices = { eth0: { type: 'nic', nictype: 'bridged', parent: 'br0' } }
  assert.equal((await w2.run(['init', '--auto'])).code, 0)
  assert.deepEqual(
    [...nets(w2).values()].filter((n) => n.managed),
    [],
  )
  assert.deepEqual(Object.keys(defaultProfile(w2).devices).sort(), ['eth0', 'root'])
})

test('init --auto --network-address sets core.https_address as lxd does', async () => {
  const w = fakeWorld()
  assert.equal(
    (await w.run(['init', '--auto', '--network-address', '198.18.0.1', '--network-port', '9443'])).code,
    0,
  )
  assert.deepEqual(w.state.server.config, { 'core.https_address': '198.18.0.1:9443' })
  const w6 = fakeWorld()
  assert.equal((await w6.run(['admin', 'init', '--auto', '--network-address=fd42::1'])).code, 0)
  assert.deepEqual(w6.state.server.config, { 'core.https_address': '[fd42::1]:8443' })
})

test('init refuses the flag combinations lxd init refuses, before any request', async () => {
  const cases: [string[], string][] = [
    [['init', '--auto', '--preseed'], "Can't use --auto and --preseed together"],
    [['init', '--minimal', '--preseed'], "Can't use --minimal and --preseed together"],
    [['init', '--minimal', '--auto'], "Can't use --minimal and --auto together"],
    [['init', '--dump', '--auto'], "Can't use --dump with other flags"],
    [['admin', 'init', '--storage-backend', 'dir'], 'Configuration flags require --auto'],
    [['init', '--preseed', '--network-address', '198.18.0.1'], 'Configuration flags require --auto'],
    [['init', '--auto', '--network-port', '9443'], "--network-port can't be used without --network-address"],
    [
      ['init', '--auto', '--storage-backend', 'zfs'],
      "The requested backend 'zfs' isn't supported by corral init",
    ],
    [
      ['init', '--auto', '--network-address', '198.18.0.1', '--network-port', 'x'],
      'invalid argument "x" for "--network-port" flag',
    ],
  ]
  for (const [args, message] of cases) {
    const w = fakeWorld()
    assert.deepEqual(
      await w.run(args),
      { stdout: '', stderr: `Error: ${message}\n`, code: 1 },
      args.join(' '),
    )
    assert.deepEqual(writes(w), [])
  }
  const w = fakeWorld()
  await w.run(['init', '--auto'])
  const again = await w.run(['init', '--auto', '--storage-backend', 'dir'])
  assert.deepEqual([again.code, again.stderr], [1, 'Error: Storage has already been configured\n'])
  const withArgs = await w.run(['init', 'busybox', 'c1', '--auto'])
  assert.deepEqual([withArgs.code, withArgs.stderr], [1, 'Error: Invalid number of arguments\n'])
})

const preseed = `config:
  core.https_address: 198.18.0.1:8443
networks:
- name: crtbr0
  type: bridge
  description: test bridge
  config:
    ipv4.address: 198.18.4.1/24
    ipv4.nat: false
    ipv6.address: fd42:4::1/64
storage_pools:
- name: crtpool
  driver: dir
  config: {}
profiles:
- name: default
  devices:
    root:
      type: disk
      path: /
      pool: crtpool
    eth0:
      type: nic
      network: crtbr0
      name: eth0
- name: crtprof
  description: extra
  config:
    limits.cpu: 2
  devices: {}
projects:
- name: crtproj
  config:
    features.profiles: "true"
`

test('init --preseed creates what the YAML lists, in LXD order; applying it again changes nothing', async () => {
  const w = fakeWorld()
  assert.deepEqual(await w.run(['init', '--preseed'], { stdin: preseed }), {
    stdout: '',
    stderr: '',
    code: 0,
  })
  // Each half of the fake records its own calls: pools before networks; server, projects, then profiles.
  assert.deepEqual(writes(w), [
    'PUT /1.0',
    'POST /1.0/projects',
    'PUT /1.0/profiles/default',
    'POST /1.0/profiles',
    'POST /1.0/storage-pools',
    'POST /1.0/networks',
  ])
  assert.deepEqual(w.state.server.config, { 'core.https_address': '198.18.0.1:8443' })
  assert.deepEqual(nets(w).get('crtbr0')!.config, {
    'ipv4.address': '198.18.4.1/24',
    'ipv4.nat': 'false',
    'ipv6.address': 'fd42:4::1/64',
  })
  assert.equal(nets(w).get('crtbr0')!.description, 'test bridge')
  assert.deepEqual(defaultProfile(w).devices, {
    root: { type: 'disk', path: '/', pool: 'crtpool' },
    eth0: { type: 'nic', network: 'crtbr0', name: 'eth0' },
  })
  assert.deepEqual(w.state.profiles.get('default')!.get('crtprof')!.config, { 'limits.cpu': '2' })
  assert.deepEqual(w.state.projects.get('crtproj')!.config, { 'features.profiles': 'true' })
  const before = JSON.stringify([
    [...nets(w).values()],
    w.state.lxd.pools,
    [...w.state.profiles.get('default')!.values()],
  ])
  assert.equal((await w.run(['admin', 'init', '--preseed'], { stdin: preseed })).code, 0)
  const after = JSON.stringify([
    [...nets(w).values()],
    w.state.lxd.pools,
    [...w.state.profiles.get('default')!.values()],
  ])
  assert.equal(after, before)
})

test('init --preseed merges into what exists: keys and devices are added, others kept', async () => {
  const w = fakeWorld()
  await w.run(['init', '--preseed'], { stdin: preseed })
  const more =
    'networks:\n- name: crtbr0\n  config:\n    dns.domain: crt\nprofiles:\n- name: default\n  devices:\n    eth0:\n      mtu: "1400"\n'
  assert.equal((await w.run(['init', '--preseed'], { stdin: more })).code, 0)
  assert.equal(nets(w).get('crtbr0')!.config['dns.domain'], 'crt')
  assert.equal(nets(w).get('crtbr0')!.config['ipv4.address'], '198.18.4.1/24')
  assert.equal(nets(w).get('crtbr0')!.description, 'test bridge')
  assert.deepEqual(defaultProfile(w).devices.eth0, {
    type: 'nic',
    network: 'crtbr0',
    name: 'eth0',
    mtu: '1400',
  })
})

test('init --preseed refuses bad input with a clear error and changes nothing', async () => {
  const cases: [string, string][] = [
    ['storage_pool:\n- name: x\n', 'Failed to parse the preseed: unknown key "storage_pool" in the document'],
    ['networks:\n  name: x\n', 'Failed to parse the preseed: networks must be a list'],
    [
      'networks:\n- name: crtbr0\n  ipv4.address: 198.18.4.1/24\n',
      'Failed to parse the preseed: unknown key "ipv4.address" in networks[0]',
    ],
    ['networks:\n- config: {}\n', 'Invalid preseed: networks[0] has no name'],
    ['profiles:\n- name: a\n- name: a\n', 'Invalid preseed: profiles lists "a" twice'],
    ['storage_pools:\n- name: p\n', 'Invalid preseed: storage pool "p" has no driver'],
    [
      'storage_pools:\n- name: default\n  driver: btrfs\n',
      'Storage pool "default" is of type "dir" instead of "btrfs"',
    ],
    [
      'profiles:\n- name: default\n  devices:\n    root: {type: disk, path: /, pool: nope}\n',
      'Invalid preseed: device "root" of profile "default" uses storage pool "nope", which does not exist',
    ],
    [
      'profiles:\n- name: p2\n  devices:\n    eth0: {type: nic, network: nope}\n',
      'Invalid preseed: device "eth0" of profile "p2" uses network "nope", which does not exist',
    ],
    [
      'profiles:\n- name: p2\n  devices:\n    eth0: {network: crtbr0}\n',
      'Invalid preseed: device "eth0" of profile "p2" has no type',
    ],
    [
      'networks:\n- name: n\n  project: nope\n',
      'Invalid preseed: network "n" is in project "nope", which does not exist',
    ],
    ['cluster:\n  enabled: true\n', 'Invalid preseed: clustering is not supported'],
    ['config: [1]\n', 'Failed to parse the preseed: config must be a mapping'],
    ['a: [\n', 'Failed to parse the preseed: '],
  ]
  for (const [yaml, message] of cases) {
    const w = fakeWorld()
    w.state.lxd.pools.push({
      ...{ name: 'default', driver: 'dir', config: {}, description: '' },
      used_by: [],
      status: 'Created',
      locations: ['none'],
    })
    const r = await w.run(['init', '--preseed'], { stdin: yaml })
    assert.equal(r.code, 1, yaml)
    assert.ok(r.stderr.startsWith(`Error: ${message}`), `${r.stderr} vs ${message}`)
    assert.deepEqual(writes(w), [], yaml)
  }
})

test('init --preseed undoes what it did when a step fails', async () => {
  const w = fakeWorld()
  const bad = `storage_pools:
- name: crtpool
  driver: dir
networks:
- name: crtbr1
  config:
    ipv4.address: 198.18.5.1/24
- name: crtbr2
  config:
    ipv4.address: bogus
profiles:
- name: default
  devices:
    root: {type: disk, path: /, pool: crtpool}
`
  const r = await w.run(['init', '--preseed'], { stdin: bad })
  assert.deepEqual(r, {
    stdout: '',
    stderr:
      'Error: Failed to create local member network "crtbr2" in project "default": Invalid value for network option "ipv4.address": Not an IP address "bogus"\n',
    code: 1,
  })
  assert.deepEqual(w.state.lxd.pools, [])
  assert.equal(nets(w).has('crtbr1'), false)
  assert.deepEqual(defaultProfile(w).devices, {})
  assert.deepEqual(writes(w), [
    'POST /1.0/storage-pools',
    'POST /1.0/networks',
    'POST /1.0/networks',
    'DELETE /1.0/networks/crtbr1',
    'DELETE /1.0/storage-pools/crtpool',
  ])
})

test('init --dump prints the server as a preseed', async () => {
  const w = fakeWorld()
  await w.run(['init', '--preseed'], { stdin: preseed })
  const r = await w.run(['admin', 'init', '--dump'])
  assert.equal(r.code, 0)
  assert.match(
    r.stdout,
    /^config:\n {2}core.https_address: 198.18.0.1:8443\nnetworks:\n- config:\n {4}ipv4.address: 198.18.4.1\/24\n/,
  )
  assert.match(
    r.stdout,
    /\n {2}description: test bridge\n {2}name: crtbr0\n {2}type: bridge\n {2}project: default\nstorage_pools:\n- config: \{\}\n {2}description: ""\n {2}name: crtpool\n {2}driver: dir\nprofiles:\n/,
  )
  assert.match(r.stdout, /\nprojects:\n- config:\n/)
  assert.ok(r.stdout.endsWith('\n\n'))
  const back = fakeWorld()
  back.state.lxd.pools.length = 0
  const reapplied = await back.run(['init', '--preseed'], {
    stdin: r.stdout.replace(/projects:[\s\S]*$/, ''),
  })
  assert.equal(reapplied.code, 0, reapplied.stderr)
  assert.deepEqual(nets(back).get('crtbr0')!.config, nets(w).get('crtbr0')!.config)
})

const questions = [
  'Do you want to configure a new storage pool? (yes/no) [default=yes]: ',
  'Name of the new storage pool [default=default]: ',
  'Name of the storage backend to use (dir, btrfs) [default=dir]: ',
  'Would you like to create a new local network bridge? (yes/no) [default=yes]: ',
  'What should the new bridge be called? [default=corralbr0]: ',
  'What IPv4 address should be used? (CIDR subnet notation, “auto” or “none”) [default=auto]: ',
  'What IPv6 address should be used? (CIDR subnet notation, “auto” or “none”) [default=auto]: ',
  'Would you like the Corral server to be available over the network? (yes/no) [default=no]: ',
  'Would you like a YAML "corral init" preseed to be printed? (yes/no) [default=no]: ',
]

test('admin init asks lxd init questions; all defaults give pool default, corralbr0 and the profile', async () => {
  const w = fakeWorld()
  const r = await w.run(['admin', 'init'], { stdin: '\n'.repeat(9) })
  assert.deepEqual(r, { stdout: questions.join(''), stderr: '', code: 0 })
  assert.deepEqual(nets(w).get('corralbr0')!.config, {
    'ipv4.address': '10.1.2.1/24',
    'ipv6.address': 'fd42:1:2:3::1/64',
  })
  assert.deepEqual(defaultProfile(w).devices, {
    root: { type: 'disk', path: '/', pool: 'default' },
    eth0: { type: 'nic', name: 'eth0', network: 'corralbr0' },
  })
})

test('the questions re-ask after invalid answers and print the preseed when asked', async () => {
  const w = fakeWorld()
  nets(w).set('corralbr0', hostInterface('corralbr0', 'bridge'))
  const answers = [
    'maybe', // invalid yes/no
    'y',
    'crtpool',
    'zfs', // not a choice
    'btrfs',
    '',
    'corralbr0', // exists
    'bad/name',
    'crtbr0',
    '198.18.6.1', // no prefix
    '198.18.6.1/24',
    'no',
    'none',
    'yes',
    'x.y',
    '198.18.6.1',
    '99999',
    '8444',
    'yes',
  ]
  const r = await w.run(['admin', 'init'], { stdin: `${answers.join('\n')}\n` })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(
    r.stderr,
    'Invalid input, try again.\n\nInvalid input, try again.\n\n' +
      'Invalid input: Network interface "bad/name" contains invalid characters\n\n' +
      'Invalid input: Not an IPv4 network address "198.18.6.1"\n\n' +
      'Invalid input: "x.y" is not an IP address\n\nInvalid input: out of range\n\n',
  )
  assert.match(
    r.stdout,
    /The requested network bridge "corralbr0" already exists\. Please choose another name\.\n/,
  )
  assert.match(r.stdout, /Would you like Corral to NAT IPv4 traffic on your bridge\? \[default=yes\]: /)
  assert.ok(
    r.stdout.endsWith(`config:
  core.https_address: 198.18.6.1:8444
networks:
- config:
    ipv4.address: 198.18.6.1/24
    ipv4.nat: "false"
    ipv6.address: none
  description: ""
  name: crtbr0
  type: ""
  project: default
storage_pools:
- config: {}
  description: ""
  name: crtpool
  driver: btrfs
profiles:
- config: {}
  description: ""
  devices:
    eth0:
      name: eth0
      network: crtbr0
      type: nic
    root:
      path: /
      pool: crtpool
      type: disk
  name: default
projects: []

`),
  )
  assert.equal(w.state.lxd.pools[0]!.driver, 'btrfs')
  assert.deepEqual(nets(w).get('crtbr0')!.config, {
    'ipv4.address': '198.18.6.1/24',
    'ipv4.nat': 'false',
    'ipv6.address': 'none',
  })
  assert.deepEqual(w.state.server.config, { 'core.https_address': '198.18.6.1:8444' })
})

test('the questions can use an existing interface, or skip storage and network', async () => {
  const w = fakeWorld()
  nets(w).set('br7', hostInterface('br7', 'bridge'))
  const r = await w.run(['admin', 'init'], { stdin: 'no\nno\nyes\nnope\nbr7\n\n\n' })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /The requested interface doesn't exist\. Please choose another one\.\n/)
  assert.deepEqual(defaultProfile(w).devices, {
    eth0: { type: 'nic', nictype: 'bridged', name: 'eth0', parent: 'br7' },
  })
  assert.deepEqual(w.state.lxd.pools, [])
  const eof = await fakeWorld().run(['admin', 'init'], { stdin: 'yes\n' })
  assert.deepEqual([eof.code, eof.stderr], [1, 'Error: EOF\n'])
})

test('corral init alone asks the questions on a terminal, and prints help otherwise', async () => {
  const w = fakeWorld()
  const r = await w.run(['init'], { stdin: '\n'.repeat(9), tty: { stdin: true, stdout: false } })
  assert.deepEqual(r, { stdout: questions.join(''), stderr: '', code: 0 })
  const piped = await fakeWorld().run(['init'], { stdin: '' })
  assert.equal(piped.code, 1)
  assert.match(piped.stdout, /^Description:\n {2}Create instances from images\n/)
})
