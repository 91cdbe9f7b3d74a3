/** @module System tier: corral remotes over TLS against live corralds on 127.0.0.1 (own state dirs, free ports, stopped by pid). */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import {
  cleanup,
  corralBin,
  freePort,
  makeStateDir,
  repoRoot as repo,
  rootSkipReason,
  run,
  startCorrald,
  type Corrald,
} from '../helpers/corrald.js'

const skip = rootSkipReason() ?? false
const skipLaunch = skip || (run('which', ['lxc-start']).status === 0 ? false : 'lxc-start missing')

let base = ''
const daemons = new Map<string, Corrald>()
let port = 0
let port2 = 0

interface Run {
  stdout: string
  stderr: string
  code: number
}

/** Runs corral with its own state dir (for the unix socket) and client config dir. */
function corral(stateDir: string, conf: string, args: string[], input = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(corralBin, args, {
      env: { ...process.env, CORRAL_DIR: stateDir, CORRAL_CONF: conf },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.stdin.end(input)
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }))
  })
}

const dir = (name: string): string => path.join(base, name)
/** The server's admin (unix socket of `src`). */
const server = (args: string[]) => corral(dir('src'), dir('admin'), args)
/** The second server's admin. */
const server2 = (args: string[]) => corral(dir('dst'), dir('admin2'), args)
/** A client on another machine: no reachable unix socket, its own config dir. */
const client = (conf: string, args: string[], input?: string) =>
  corral(dir('nowhere'), dir(conf), args, input)

async function must(p: Promise<Run>): Promise<string> {
  const r = await p
  assert.equal(r.code, 0, r.stderr)
  return r.stdout
}

async function startDaemon(stateDir: string): Promise<void> {
  fs.mkdirSync(stateDir, { mode: 0o711 })
  daemons.set(stateDir, await startCorrald(stateDir))
}

async function token(name: string): Promise<string> {
  return (await must(server(['config', 'trust', 'add', '--name', name, '-q']))).trim()
}

before(async () => {
  if (skip) return
  base = makeStateDir('corral-cli-remote')
  await startDaemon(dir('src'))
  port = await freePort()
  await must(server(['config', 'set', 'core.https_address', `127.0.0.1:${port}`]))
})

after(async () => {
  if (skip) return
  // cleanup() force-stops each daemon's containers, undoes what they left and removes the directory.
  for (const [stateDir, d] of daemons) await cleanup(d, stateDir)
  fs.rmSync(base, { recursive: true, force: true })
})

test(
  'remote add with a token: trusted afterwards, list and profile list work remotely',
  { skip },
  async () => {
    const t = await token('r1')
    const added = await client('c1', ['remote', 'add', 'r1', t])
    assert.equal(added.code, 0, added.stderr)
    assert.equal(added.stderr, 'Generating a client certificate. This may take a minute...\n')
    assert.equal(fs.statSync(dir('c1/client.key')).mode & 0o777, 0o600)
    assert.ok(fs.existsSync(dir('c1/servercerts/r1.crt')))
    assert.match(await must(client('c1', ['profile', 'list', 'r1:', '--format', 'csv'])), /^default,/m)
    assert.equal(await must(client('c1', ['list', 'r1:', '--format', 'csv'])), '')
    assert.match(await must(client('c1', ['info', 'r1:'])), /\nauth: trusted\n/)
    assert.match(await must(server(['config', 'trust', 'list', '--format', 'csv'])), /^client,r1,/m)
  },
)

test(
  'a token whose fingerprint is not the server certificate is refused with nothing pinned or added',
  { skip },
  async () => {
    const t = await token('forged')
    const body = JSON.parse(Buffer.from(t, 'base64').toString()) as Record<string, unknown>
    const forged = Buffer.from(JSON.stringify({ ...body, fingerprint: 'a'.repeat(64) })).toString('base64')
    const r = await client('c2', ['remote', 'add', 'r1', forged])
    assert.equal(r.code, 1)
    assert.match(
      r.stderr,
      /Error: Certificate fingerprint mismatch between certificate token and server "https:\/\/127\.0\.0\.1:\d+"\n$/,
    )
    assert.ok(!fs.existsSync(dir('c2/config.yml')))
    assert.deepEqual(fs.existsSync(dir('c2/servercerts')) ? fs.readdirSync(dir('c2/servercerts')) : [], [])
    assert.doesNotMatch(await must(server(['config', 'trust', 'list', '--format', 'csv'])), /forged/)
  },
)

test('--accept-certificate with a token is refused; the token stays usable', { skip }, async () => {
  const t = await token('acc')
  const r = await client('c3', ['remote', 'add', 'r1', t, '--accept-certificate'])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /cannot be used with a trust token/)
  assert.ok(!fs.existsSync(dir('c3/config.yml')))
  assert.match(await must(server(['config', 'trust', 'list-tokens', '--format', 'csv'])), /^acc,/m)
})

test('a --public remote stays untrusted: public images only, other endpoints refused', { skip }, async () => {
  await must(client('c4', ['remote', 'add', 'pub', `127.0.0.1:${port}`, '--public', '--accept-certificate']))
  assert.ok(!fs.existsSync(dir('c4/client.crt')))
  assert.match(
    await must(client('c4', ['remote', 'list', '--format', 'csv'])),
    /^pub,https:\/\/127\.0\.0\.1:\d+,lxd,tls,YES,NO,NO$/m,
  )
  assert.equal(await must(client('c4', ['image', 'list', 'pub:', '--format', 'csv'])), '')
  const r = await client('c4', ['profile', 'list', 'pub:'])
  assert.equal(r.code, 1)
  assert.equal(r.stderr, 'Error: not authorized\n')
})

test(
  'config trust add, list-tokens, revoke-token and remove from a trusted remote client',
  { skip },
  async () => {
    const issued = await must(client('c1', ['config', 'trust', 'add', 'r1:', '--name', 'viaremote']))
    assert.match(issued, /^Client viaremote certificate add token:\neyJ[A-Za-z0-9+/=]+\n$/)
    assert.match(
      await must(client('c1', ['config', 'trust', 'list-tokens', 'r1:', '--format', 'csv'])),
      /^viaremote,eyJ/m,
    )
    assert.equal(
      await must(client('c1', ['config', 'trust', 'revoke-token', 'r1:viaremote'])),
      'Certificate add token for viaremote deleted\n',
    )
    const used = (await client('c5', ['remote', 'add', 'r1', issued.trim().split('\n')[1]!])).stderr
    assert.match(used, /Failed to create certificate: /)
    const t = await token('gone')
    await must(client('c6', ['remote', 'add', 'r1', t]))
    const csv = await must(client('c1', ['config', 'trust', 'list', 'r1:', '--format', 'csv']))
    const fp = /^client,gone,[^,]*,([0-9a-f]{12}),/m.exec(csv)![1]!
    assert.match(
      await must(client('c1', ['config', 'trust', 'show', `r1:${fp}`])),
      /^name: gone\ntype: client\n/,
    )
    await must(client('c1', ['config', 'trust', 'remove', `r1:${fp}`]))
    assert.equal((await client('c6', ['profile', 'list', 'r1:'])).stderr, 'Error: not authorized\n')
  },
)

test(
  'image copy and launch from another corrald (two state dirs, two ports)',
  { skip: skipLaunch },
  async () => {
    const img = dir('img')
    const build = spawnSync('bash', [path.join(repo, 'scripts/build-busybox-image.sh'), img], {
      encoding: 'utf8',
    })
    assert.equal(build.status, 0, build.stderr)
    await startDaemon(dir('dst'))
    port2 = await freePort()
    await must(server2(['config', 'set', 'core.https_address', `[::1]:${port2}`]))
    for (const admin of [server, server2]) {
      await must(admin(['storage', 'create', 'default', 'dir']))
      await must(admin(['profile', 'device', 'add', 'default', 'root', 'disk', 'path=/', 'pool=default']))
    }
    await must(server(['image', 'import', path.join(img, 'busybox.tar.xz'), '--alias', 'bb', '--public']))
    await must(
      server([
        'image',
        'import',
        path.join(img, 'busybox-meta.tar.xz'),
        path.join(img, 'busybox-rootfs.tar.xz'),
        '--alias',
        'private',
      ]),
    )
    // The second server's admin adds the first as a public image server and as a trusted remote.
    await must(server2(['remote', 'add', 'src', `127.0.0.1:${port}`, '--public', '--accept-certificate']))
    await must(server2(['remote', 'add', 'tsrc', await token('dst')]))
    assert.equal(
      await must(server2(['image', 'copy', 'src:bb', 'local:', '--alias', 'copied'])),
      'Image copied successfully!\n',
    )
    assert.notEqual((await server2(['image', 'copy', 'src:private', 'local:'])).code, 0)
    await must(server2(['image', 'copy', 'tsrc:private', 'local:', '--copy-aliases']))
    const aliases = await must(server2(['image', 'alias', 'list', '--format', 'csv']))
    assert.match(aliases, /^copied,/m)
    assert.match(aliases, /^private,/m)
    await must(server2(['image', 'delete', 'copied']))
    await must(server2(['launch', 'src:bb', 'fromsrc']))
    assert.match(
      await must(server2(['list', 'fromsrc', '--format', 'csv', '-c', 'ns'])),
      /^fromsrc,RUNNING$/m,
    )
    await must(server2(['delete', '-f', 'fromsrc']))
  },
)
