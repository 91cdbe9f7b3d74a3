// Unit tier: `corral profile ...` against an in-memory server; expected text is what lxc 5.0.2 prints.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fakeWorld } from './helpers/run.js'

async function worldWithP1() {
  const w = fakeWorld()
  await w.run(['profile', 'create', 'p1'])
  await w.run(['profile', 'edit', 'p1'], { stdin: 'description: multi line\nconfig:\n  limits.cpu: 2\n' })
  return w
}

test('profile list renders the table lxc prints', async () => {
  const w = await worldWithP1()
  const r = await w.run(['profile', 'list'])
  assert.equal(r.code, 0)
  assert.equal(
    r.stdout,
    `+---------+---------------------+---------+
|  NAME   |     DESCRIPTION     | USED BY |
+---------+---------------------+---------+
| default | Default LXD profile | 0       |
+---------+---------------------+---------+
| p1      | multi line          | 0       |
+---------+---------------------+---------+
`,
  )
})

test('profile list renders csv, compact, json and yaml like lxc', async () => {
  const w = await worldWithP1()
  assert.equal(
    (await w.run(['profile', 'list', '-f', 'csv'])).stdout,
    'default,Default LXD profile,0\np1,multi line,0\n',
  )
  assert.equal(
    (await w.run(['profile', 'ls', '--format', 'compact'])).stdout,
    '   NAME        DESCRIPTION      USED BY  \n  default  Default LXD profile  0        \n  p1       multi line           0        \n',
  )
  assert.equal(
    (await w.run(['profile', 'list', '--format=json'])).stdout,
    '[{"config":{},"description":"Default LXD profile","devices":{},"name":"default","used_by":[]},' +
      '{"config":{"limits.cpu":"2"},"description":"multi line","devices":{},"name":"p1","used_by":[]}]\n',
  )
  assert.equal(
    (await w.run(['profile', 'list', '-f', 'yaml'])).stdout,
    `- config: {}
  description: Default LXD profile
  devices: {}
  name: default
  used_by: []
- config:
    limits.cpu: "2"
  description: multi line
  devices: {}
  name: p1
  used_by: []
`,
  )
})

test('profile list rejects an unknown format with exit code 1', async () => {
  const r = await fakeWorld().run(['profile', 'list', '-f', 'bogus'])
  assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'Error: Invalid format "bogus"\n'])
})

test('profile create, rename and delete print lxc messages', async () => {
  const w = fakeWorld()
  assert.equal((await w.run(['profile', 'create', 'a'])).stdout, 'Profile a created\n')
  assert.equal((await w.run(['profile', 'rename', 'a', 'b'])).stdout, 'Profile a renamed to b\n')
  assert.equal((await w.run(['profile', 'rm', 'b'])).stdout, 'Profile b deleted\n')
  const again = await w.run(['profile', 'delete', 'b'])
  assert.deepEqual([again.code, again.stderr], [1, 'Error: Profile not found\n'])
})

test('profile show prints the profile as go-yaml would', async () => {
  const w = await worldWithP1()
  await w.run(['profile', 'device', 'add', 'p1', 'eth0', 'nic', 'nictype=bridged', 'parent=lxdbr0'])
  const r = await w.run(['profile', 'show', 'p1'])
  assert.equal(
    r.stdout,
    `config:
  limits.cpu: "2"
description: multi line
devices:
  eth0:
    nictype: bridged
    parent: lxdbr0
    type: nic
name: p1
used_by: []
`,
  )
})

test('profile set uses GET then PUT with the ETag in If-Match', async () => {
  const w = await worldWithP1()
  w.state.calls.length = 0
  assert.equal((await w.run(['profile', 'set', 'p1', 'user.a', 'b'])).code, 0)
  assert.equal((await w.run(['profile', 'set', 'p1', 'user.c=d', 'user.e=f'])).code, 0)
  const puts = w.state.calls.filter((c) => c.method === 'PUT')
  assert.equal(puts.length, 2)
  assert.ok(puts.every((c) => typeof c.etag === 'string'))
  assert.equal((await w.run(['profile', 'get', 'p1', 'user.e'])).stdout, 'f\n')
  assert.equal((await w.run(['profile', 'get', 'p1', 'nope'])).stdout, '\n')
})

test('profile set and unset reject what lxc rejects', async () => {
  const w = await worldWithP1()
  const bad = await w.run(['profile', 'set', 'p1', 'user.x'])
  assert.deepEqual([bad.code, bad.stderr], [1, 'Error: Invalid key=value configuration: user.x\n'])
  const unknown = await w.run(['profile', 'unset', 'p1', 'nope'])
  assert.deepEqual([unknown.code, unknown.stderr], [1, 'Error: Unknown configuration key: nope\n'])
  assert.equal((await w.run(['profile', 'unset', 'p1', 'limits.cpu'])).code, 0)
  assert.deepEqual(w.state.profiles.get('default')!.get('p1')!.config, {})
})

test('profile device add, show, list and remove follow lxc', async () => {
  const w = await worldWithP1()
  const add = await w.run([
    'profile',
    'device',
    'add',
    'p1',
    'eth0',
    'nic',
    'nictype=bridged',
    'parent=lxdbr0',
  ])
  assert.equal(add.stdout, 'Device eth0 added to p1\n')
  const dup = await w.run(['profile', 'device', 'add', 'p1', 'eth0', 'nic'])
  assert.deepEqual([dup.code, dup.stderr], [1, 'Error: The device already exists\n'])
  const bare = await w.run(['profile', 'device', 'add', 'p1', 'd2', 'disk', 'badarg'])
  assert.equal(bare.stderr, 'Error: No value found in "badarg"\n')
  assert.equal(
    (await w.run(['profile', 'device', 'show', 'p1'])).stdout,
    'eth0:\n  nictype: bridged\n  parent: lxdbr0\n  type: nic\n',
  )
  assert.equal((await w.run(['profile', 'device', 'list', 'p1'])).stdout, 'eth0\n')
  assert.equal(
    (await w.run(['profile', 'device', 'remove', 'p1', 'eth0'])).stdout,
    'Device eth0 removed from p1\n',
  )
  const gone = await w.run(['profile', 'device', 'rm', 'p1', 'eth0'])
  assert.deepEqual([gone.code, gone.stderr], [1, "Error: Device doesn't exist\n"])
  assert.equal((await w.run(['profile', 'device', 'show', 'p1'])).stdout, '{}\n')
})

test('profile copy creates the target with the source config', async () => {
  const w = await worldWithP1()
  assert.deepEqual(await w.run(['profile', 'copy', 'p1', 'p2']), { stdout: '', stderr: '', code: 0 })
  assert.deepEqual(w.state.profiles.get('default')!.get('p2')!.config, { 'limits.cpu': '2' })
})

test('profile edit opens the editor with the header on a terminal and sends the ETag', async () => {
  const w = await worldWithP1()
  w.state.calls.length = 0
  const r = await w.run(['profile', 'edit', 'p1'], { editor: (t) => t.replace('multi line', 'edited') })
  assert.equal(r.code, 0)
  assert.ok(w.edited[0]!.startsWith('### This is a YAML representation of the profile.\n'))
  assert.ok(w.edited[0]!.endsWith('name: p1\nused_by: []\n'))
  const put = w.state.calls.find((c) => c.method === 'PUT')!
  assert.equal((put.body as { description: string }).description, 'edited')
  assert.ok(put.etag)
})

test('profile edit reads YAML from stdin with every scalar as a string', async () => {
  const w = await worldWithP1()
  await w.run(['profile', 'edit', 'p1'], { stdin: 'config:\n  user.t: yes\n  user.n: 012\ndevices: {}\n' })
  assert.deepEqual(w.state.profiles.get('default')!.get('p1')!.config, { 'user.t': 'yes', 'user.n': '012' })
})

test('profile commands print help like lxc for missing or extra arguments', async () => {
  const w = fakeWorld()
  const none = await w.run(['profile', 'show'])
  assert.equal(none.code, 0)
  assert.ok(
    none.stdout.startsWith(
      'Description:\n  Show profile configurations\n\nUsage:\n  corral profile show [<remote>:]<profile> [flags]\n',
    ),
  )
  assert.equal(none.stderr, '')
  const extra = await w.run(['profile', 'list', 'a', 'b'])
  assert.equal(extra.code, 1)
  assert.ok(
    extra.stdout.includes(
      'Aliases:\n  list, ls\n\nFlags:\n  -f, --format   Format (csv|json|table|yaml|compact) (default "table")\n',
    ),
  )
  assert.equal(extra.stderr, 'Error: Invalid number of arguments\n')
})

test('profile arguments resolve remotes like lxc', async () => {
  const w = await worldWithP1()
  assert.equal((await w.run(['profile', 'show', 'local:'])).stderr, 'Error: Missing profile name\n')
  assert.equal(
    (await w.run(['profile', 'show', 'bogus:x'])).stderr,
    'Error: The remote "bogus" doesn\'t exist\n',
  )
  assert.equal((await w.run(['profile', 'get', 'local:p1', 'limits.cpu'])).stdout, '2\n')
})

test('unknown commands and flags fail with cobra wording', async () => {
  const w = fakeWorld()
  assert.deepEqual(await w.run(['profile', 'bogus']), {
    stdout: '',
    stderr: 'Error: unknown command "bogus" for "corral profile"\n',
    code: 1,
  })
  assert.equal((await w.run(['profile', 'list', '--bogus'])).stderr, 'Error: unknown flag: --bogus\n')
  assert.equal((await w.run(['profile', 'list', '-z'])).stderr, "Error: unknown shorthand flag: 'z' in -z\n")
  assert.equal(
    (await w.run(['profile', 'list', '--format'])).stderr,
    'Error: flag needs an argument: --format\n',
  )
})

test('profile device get, set and unset edit one device (unset sends the key empty, as lxc)', async () => {
  const w = await worldWithP1()
  await w.run(['profile', 'device', 'add', 'p1', 'eth0', 'nic', 'parent=lxdbr0'])
  assert.equal((await w.run(['profile', 'device', 'set', 'p1', 'eth0', 'mtu', '1500'])).code, 0)
  assert.equal((await w.run(['profile', 'device', 'get', 'p1', 'eth0', 'mtu'])).stdout, '1500\n')
  w.state.calls.length = 0
  assert.equal((await w.run(['profile', 'device', 'unset', 'p1', 'eth0', 'mtu'])).code, 0)
  const put = w.state.calls.find((c) => c.method === 'PUT')!
  assert.equal((put.body as { devices: Record<string, Record<string, string>> }).devices.eth0!.mtu, '')
  const missing = await w.run(['profile', 'device', 'set', 'p1', 'nope', 'a=b'])
  assert.deepEqual([missing.code, missing.stderr], [1, "Error: Device doesn't exist\n"])
})

test('help prints the help of any command path', async () => {
  const w = fakeWorld()
  const r = await w.run(['help', 'profile', 'device'])
  assert.ok(
    r.stdout.startsWith(
      'Description:\n  Manage devices\n\nUsage:\n  corral profile device [flags]\n  corral profile device [command]\n',
    ),
  )
  assert.equal((await w.run(['profile', 'device', '--help'])).stdout, r.stdout)
  const root = await w.run([])
  assert.ok(
    root.stdout.includes(
      '\nAvailable Commands:\n  admin       Manage the daemon\n  config      Manage instance and server configuration options\n',
    ),
  )
  assert.ok(root.stdout.endsWith('Use "corral [command] --help" for more information about a command.\n'))
})

test('profile edit reopens the editor after a parse error, keeping the edited text', async () => {
  const w = await worldWithP1()
  let round = 0
  const r = await w.run(['profile', 'edit', 'p1'], {
    editor: (t) =>
      ++round === 1
        ? t.replace('description: multi line', 'description: [broken')
        : t.replace('[broken', 'fixed'),
  })
  assert.equal(r.code, 0)
  assert.equal(w.edited.length, 2)
  assert.ok(w.edited[1]!.includes('description: [broken'))
  assert.match(
    w.prompts[0]!,
    /^Config parsing error: .*\nPress enter to open the editor again or ctrl\+c to abort change\n$/s,
  )
  assert.equal(w.state.profiles.get('default')!.get('p1')!.description, 'fixed')
})
