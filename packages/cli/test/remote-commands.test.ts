// Unit tier: corral remote and config trust against fake servers (no network): output, exit codes, refusals.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { encodeToken } from '@corral/client'
import { fakeState } from './helpers/fake-client.js'
import { tokenOperation } from './helpers/fake-certificates.js'
import { fakeWorld, type FakeWorld } from './helpers/run.js'

const url = 'https://127.0.0.1:8443'
const serverFp = 'a'.repeat(64)

/** A world with one other server at `url`, and a token it issued for `name`. */
function withServer(name = 'r1'): { world: FakeWorld; token: string } {
  const world = fakeWorld()
  const state = fakeState()
  state.fingerprint = serverFp
  world.servers.set(url, { state, certificate: 'server-pem', fingerprint: serverFp })
  const op = tokenOperation(state, name)
  const token = encodeToken({
    client_name: name,
    fingerprint: serverFp,
    addresses: ['127.0.0.1:8443'],
    secret: op.metadata!.secret as string,
    expires_at: '2026-01-16T00:00:00Z',
  })
  return { world, token }
}

const original = (w: FakeWorld) => JSON.stringify(w.config)

test('remote add with a token pins the certificate, redeems the token and saves the trusted remote', async () => {
  const { world, token } = withServer()
  const r = await world.run(['remote', 'add', 'r1', token])
  assert.deepEqual(r, {
    stdout: '',
    stderr: 'Generating a client certificate. This may take a minute...\n',
    code: 0,
  })
  assert.deepEqual(world.config.remotes.r1, { addr: url, protocol: 'lxd', auth_type: '', project: 'default' })
  assert.equal(world.pinned.get('r1'), 'server-pem')
  const server = world.servers.get(url)!.state
  assert.deepEqual(
    server.certificates.map((c) => [c.name, c.certificate]),
    [['r1', 'client-cert-1']],
  )
  const profiles = await world.run(['profile', 'list', 'r1:', '--format', 'csv'])
  assert.equal(profiles.stdout, 'default,Default LXD profile,0\n')
  assert.ok(server.calls.some((c) => c.path === '/1.0/profiles?recursion=1'))
})

test('remote add refuses a token whose fingerprint is not the server certificate, and keeps nothing', async () => {
  const { world, token } = withServer()
  const json = JSON.parse(Buffer.from(token, 'base64').toString()) as Record<string, unknown>
  const forged = Buffer.from(JSON.stringify({ ...json, fingerprint: 'b'.repeat(64) })).toString('base64')
  const before = original(world)
  const r = await world.run(['remote', 'add', 'r1', forged])
  assert.equal(r.code, 1)
  assert.equal(
    r.stderr.split('\n').at(-2),
    `Error: Certificate fingerprint mismatch between certificate token and server "${url}"`,
  )
  assert.equal(original(world), before)
  assert.equal(world.pinned.size, 0)
  assert.deepEqual(world.servers.get(url)!.state.certificates, [])
})

test('remote add refuses --accept-certificate with a token and garbage tokens, writing nothing', async () => {
  const { world, token } = withServer()
  const before = original(world)
  const accept = await world.run(['remote', 'add', 'r1', token, '--accept-certificate'])
  assert.equal(accept.code, 1)
  assert.match(accept.stderr, /^Error: The --accept-certificate flag cannot be used with a trust token/)
  for (const [bad, reason] of [
    ['not_a_token', 'illegal base64 data'],
    ['eyJzZWNyZXQiOg==', 'invalid JSON'],
  ] as const) {
    assert.deepEqual(await world.run(['remote', 'add', 'g', bad]), {
      stdout: '',
      stderr: `Error: Failed decoding trust token: ${reason}\n`,
      code: 1,
    })
  }
  assert.equal(original(world), before)
  assert.equal(world.pinned.size, 0)
  assert.equal(world.clientCert, undefined)
})

test('a token used once is refused the second time and the pinned certificate is removed again', async () => {
  const { world, token } = withServer()
  assert.equal((await world.run(['remote', 'add', 'r1', token])).code, 0)
  const r = await world.run(['remote', 'add', 'r2', token])
  assert.equal(r.code, 1)
  assert.equal(r.stderr, 'Error: Failed to create certificate: No matching certificate add operation found\n')
  assert.equal(world.config.remotes.r2, undefined)
  assert.deepEqual([...world.pinned.keys()], ['r1'])
})

test('remote add of a URL asks for the fingerprint; no answer refuses it and writes nothing', async () => {
  const { world } = withServer()
  const r = await world.run(['remote', 'add', 'r1', '127.0.0.1'])
  assert.equal(r.code, 1)
  assert.equal(r.stdout, `Certificate fingerprint: ${serverFp}\nok (y/n/[fingerprint])? `)
  assert.match(r.stderr, /Error: Server certificate NACKed by user\n$/)
  assert.equal(world.config.remotes.r1, undefined)
  assert.equal(world.pinned.size, 0)
})

test('remote add of a URL, accepted, authenticates with a token given as the password', async () => {
  const { world, token } = withServer()
  world.answers.push('y', token)
  const r = await world.run(['remote', 'add', 'r1', 'https://127.0.0.1'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(
    r.stdout,
    `Certificate fingerprint: ${serverFp}\nok (y/n/[fingerprint])? Admin password (or token) for r1: \nClient certificate now trusted by server: r1\n`,
  )
  assert.deepEqual(world.config.remotes.r1, {
    addr: url,
    protocol: 'lxd',
    auth_type: 'tls',
    project: 'default',
  })
})

test('remote add --public saves an image server without authenticating or a client certificate', async () => {
  const { world } = withServer()
  const r = await world.run(['remote', 'add', 'pub', '127.0.0.1:8443', '--public', '--accept-certificate'])
  assert.deepEqual(r, { stdout: '', stderr: '', code: 0 })
  assert.deepEqual(world.config.remotes.pub, { addr: url, public: true })
  assert.equal(world.clientCert, undefined)
  assert.deepEqual(world.servers.get(url)!.state.certificates, [])
})

test('remote add refuses colons, existing names, other protocols and other schemes as lxc does', async () => {
  const { world } = withServer()
  const cases: [string[], string][] = [
    [['remote', 'add', 'a:b', url], 'Remote names may not contain colons'],
    [['remote', 'add', 'local', url], 'Remote local exists as <unix://>'],
    [['remote', 'add', 'x', url, '--protocol', 'nope'], 'Invalid protocol: nope'],
    [['remote', 'add', 'x', 'http://127.0.0.1'], 'Invalid URL scheme "http" in "http://127.0.0.1"'],
  ]
  for (const [args, message] of cases)
    assert.deepEqual(await world.run(args), { stdout: '', stderr: `Error: ${message}\n`, code: 1 })
})

test('remote list shows lxc table, csv, json and yaml', async () => {
  const world = fakeWorld()
  world.config.remotes.r1 = { addr: url, protocol: 'lxd', project: 'default' }
  world.config.remotes.pub = { addr: url, public: true }
  assert.equal(
    (await world.run(['remote', 'list', '-f', 'csv'])).stdout,
    `local (current),unix://,lxd,file access,NO,YES,NO\npub,${url},lxd,tls,YES,NO,NO\nr1,${url},lxd,tls,NO,NO,NO\n`,
  )
  assert.equal(
    (await world.run(['remote', 'list', '-f', 'json'])).stdout,
    `{"local":{"Addr":"unix://","AuthType":"","Domain":"","Project":"","Protocol":"","Public":false,"Global":false,"Static":true},"pub":{"Addr":"${url}","AuthType":"","Domain":"","Project":"","Protocol":"","Public":true,"Global":false,"Static":false},"r1":{"Addr":"${url}","AuthType":"","Domain":"","Project":"default","Protocol":"lxd","Public":false,"Global":false,"Static":false}}\n`,
  )
  assert.equal(
    (await world.run(['remote', 'list', '-f', 'yaml'])).stdout,
    `local:\n  addr: unix://\n  public: false\npub:\n  addr: ${url}\n  public: true\nr1:\n  addr: ${url}\n  project: default\n  protocol: lxd\n  public: false\n`,
  )
  assert.equal(
    (await world.run(['remote', 'list'])).stdout.split('\n')[1],
    '|      NAME       |          URL           | PROTOCOL |  AUTH TYPE  | PUBLIC | STATIC | GLOBAL |',
  )
})

test('remote remove, rename, switch, get-default and set-url edit config.yml with lxc messages', async () => {
  const world = fakeWorld()
  world.config.remotes.r1 = { addr: url, protocol: 'lxd' }
  world.pinned.set('r1', 'pem')
  const fails: [string[], string][] = [
    [['remote', 'remove', 'local'], 'Remote local is static and cannot be modified'],
    [['remote', 'remove', 'nope'], "Remote nope doesn't exist"],
    [['remote', 'rename', 'local', 'x'], 'Remote local is static and cannot be modified'],
    [['remote', 'rename', 'r1', 'local'], 'Remote local already exists'],
    [['remote', 'switch', 'nope'], "Remote nope doesn't exist"],
    [['remote', 'set-url', 'local', 'unix:///x'], 'Remote local is static and cannot be modified'],
  ]
  for (const [args, message] of fails)
    assert.deepEqual(await world.run(args), { stdout: '', stderr: `Error: ${message}\n`, code: 1 })
  assert.equal((await world.run(['remote', 'switch', 'r1'])).code, 0)
  assert.equal((await world.run(['remote', 'get-default'])).stdout, 'r1\n')
  assert.equal(
    (await world.run(['remote', 'remove', 'r1'])).stderr,
    "Error: Can't remove the default remote\n",
  )
  assert.equal((await world.run(['remote', 'rename', 'r1', 'r2'])).code, 0)
  assert.equal(world.config['default-remote'], 'r2')
  assert.deepEqual([...world.pinned.keys()], ['r2'])
  assert.equal((await world.run(['remote', 'set-url', 'r2', 'https://[::1]:9443'])).code, 0)
  assert.equal(world.config.remotes.r2!.addr, 'https://[::1]:9443')
  await world.run(['remote', 'switch', 'local'])
  assert.equal((await world.run(['remote', 'remove', 'r2'])).code, 0)
  assert.equal(world.config.remotes.r2, undefined)
  assert.equal(world.pinned.size, 0)
})

const fixtureCert = fs.readFileSync(new URL('../../test/fixtures/client.crt.txt', import.meta.url), 'utf8')

test('config trust add issues a token lxc can read; list-tokens and revoke-token find it by name', async () => {
  const world = fakeWorld()
  const r = await world.run(['config', 'trust', 'add', '--name', 'c1'])
  assert.equal(r.code, 0)
  const [header, token] = r.stdout.split('\n')
  assert.equal(header, 'Client c1 certificate add token:')
  const decoded = JSON.parse(Buffer.from(token!, 'base64').toString()) as Record<string, unknown>
  assert.deepEqual(Object.keys(decoded), ['client_name', 'fingerprint', 'addresses', 'secret', 'expires_at'])
  assert.equal(decoded.expires_at, '2026-01-16T00:00:00Z')
  assert.equal(
    (await world.run(['config', 'trust', 'list-tokens', '-f', 'csv'])).stdout,
    `c1,${token!},2026/01/16 00:00 UTC\n`,
  )
  assert.equal(
    (await world.run(['config', 'trust', 'add', '-q', '--name', 'c2'])).stdout.split('\n').length,
    2,
  )
  assert.deepEqual(await world.run(['config', 'trust', 'revoke-token', 'c1']), {
    stdout: 'Certificate add token for c1 deleted\n',
    stderr: '',
    code: 0,
  })
  assert.deepEqual(await world.run(['config', 'trust', 'revoke-token', 'c1']), {
    stdout: '',
    stderr: 'Error: No certificate add token for member c1 on remote: local\n',
    code: 1,
  })
  assert.match((await world.run(['config', 'trust', 'list-tokens', '-f', 'csv'])).stdout, /^c2,/)
})

test('config trust add-certificate, list, show, edit and remove', async () => {
  const world = fakeWorld()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-trust-'))
  try {
    const file = path.join(dir, 'alice.crt')
    fs.writeFileSync(file, fixtureCert)
    fs.writeFileSync(path.join(dir, 'bad.crt'), 'not a certificate\n')
    assert.deepEqual(await world.run(['config', 'trust', 'add-certificate', path.join(dir, 'bad.crt')]), {
      stdout: '',
      stderr: 'Error: Invalid certificate file\n',
      code: 1,
    })
    assert.equal(world.state.certificates.length, 0)
    assert.equal((await world.run(['config', 'trust', 'add-certificate', 'local:', file])).code, 0)
    const added = world.state.certificates[0]!
    assert.equal(added.name, 'alice.crt')
    const fp = added.fingerprint
    const listed = await world.run(['config', 'trust', 'list', '-f', 'csv'])
    assert.equal(listed.stderr, '')
    assert.equal(
      listed.stdout,
      `client,alice.crt,alice@host,${fp.slice(0, 12)},"Nov 28, 2026 at 9:49pm (UTC)","Nov 25, 2036 at 9:49pm (UTC)"\n`,
    )
    const show = await world.run(['config', 'trust', 'show', fp])
    assert.match(
      show.stdout,
      /^name: alice\.crt\ntype: client\nrestricted: false\nprojects: \[\]\ncertificate: \|\n {2}-----BEGIN CERTIFICATE-----\n/,
    )
    assert.equal(
      (await world.run(['config', 'trust', 'edit', fp], { stdin: show.stdout.replace('alice.crt', 'alice') }))
        .code,
      0,
    )
    assert.equal(world.state.certificates[0]!.name, 'alice')
    assert.equal(
      (await world.run(['config', 'trust', 'show', 'local:'])).stderr,
      'Error: Missing certificate fingerprint\n',
    )
    assert.equal((await world.run(['config', 'trust', 'remove', fp.slice(0, 12)])).code, 0)
    assert.deepEqual(world.state.certificates, [])
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('image copy has the target pull from the source with its pinned certificate and an image secret', async () => {
  const { world } = withServer()
  world.config.remotes.src = { addr: url, protocol: 'lxd' }
  world.pinned.set('src', 'server-pem')
  world.clientCert = 'client-cert-1'
  const src = world.servers.get(url)!.state
  src.certificates.push({
    name: 'me',
    type: 'client',
    restricted: false,
    projects: [],
    certificate: 'client-cert-1',
    fingerprint: 'c'.repeat(64),
  })
  const image = {
    fingerprint: 'd'.repeat(64),
    aliases: [{ name: 'bb', description: '' }],
    public: false,
  } as never
  src.lxd.images.push(image)
  const r = await world.run(['image', 'copy', 'src:bb', 'local:', '--alias', 'copied'])
  assert.deepEqual(r, { stdout: 'Image copied successfully!\n', stderr: '', code: 0 })
  const post = world.state.lxd.calls.find((c) => c.method === 'POST' && c.path === '/1.0/images')
  assert.deepEqual(post?.body, {
    source: {
      type: 'image',
      mode: 'pull',
      server: url,
      protocol: 'lxd',
      certificate: 'server-pem',
      project: 'default',
      secret: `secret-of-${'d'.repeat(64)}`,
      fingerprint: 'd'.repeat(64),
    },
    public: false,
    auto_update: false,
  })
  assert.ok(world.state.lxd.calls.some((c) => c.method === 'POST' && c.path === '/1.0/images/aliases'))
  assert.equal(
    (await world.run(['image', 'copy', 'src:bb', 'src:'])).stderr,
    'Error: The source and target servers must be different\n',
  )
  assert.equal(
    (await world.run(['image', 'copy', 'src:bb', 'local:x'])).stderr,
    "Error: Can't provide a name for the target image\n",
  )
})

test('launch SRC:ALIAS creates the instance on the default remote from a public image by alias', async () => {
  const { world } = withServer()
  world.config.remotes.src = { addr: url, public: true }
  world.pinned.set('src', 'server-pem')
  world.servers.get(url)!.state.lxd.images.push({
    fingerprint: 'e'.repeat(64),
    aliases: [{ name: 'bb', description: '' }],
    public: true,
  } as never)
  const r = await world.run(['launch', 'src:bb', 'c1'])
  assert.equal(r.code, 0, r.stderr)
  const post = world.state.lxd.calls.find((c) => c.method === 'POST' && c.path === '/1.0/instances')
  assert.deepEqual((post?.body as { source: unknown }).source, {
    type: 'image',
    mode: 'pull',
    server: url,
    protocol: 'lxd',
    certificate: 'server-pem',
    project: 'default',
    alias: 'bb',
  })
  assert.ok(world.state.lxd.instances.has('c1'))
})

test('move between two servers is refused instead of renaming on the source', async () => {
  const { world } = withServer()
  world.config.remotes.r1 = { addr: url }
  world.pinned.set('r1', 'server-pem')
  assert.equal(
    (await world.run(['move', 'c1', 'r1:c1'])).stderr,
    'Error: Moving instances between servers is not supported (from "local" to "r1")\n',
  )
})
