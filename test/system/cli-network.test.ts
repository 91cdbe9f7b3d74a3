/**
 * @module System tier: `corral network ...` and `corral init --preseed` against a live corrald,
 * compared with stock lxc. Addresses only from 198.18.0.0/15 and fd42::/16, no NAT, routing
 * sysctls left alone; networks are deleted through the API (and the daemon stopped by its pid)
 * even when a test fails.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { connectUnix } from '@corral/client'
import { cleanup, makeStateDir, startCorrald, type Corrald } from '../helpers/corrald.js'
import { sessionSkipReason } from '../helpers/lxc-session.js'
import { stockClientEnv } from '../helpers/stock-client.js'
import { buildBusyboxImage, quietBridge } from '../helpers/setup.js'
import { inProcessCorral } from '../helpers/corral-cli.js'

const skip = sessionSkipReason({ image: true, pool: true })

const tag = String(process.pid % 100000)
const net = `crtn${tag}`
const net2 = `crtm${tag}`
const octet = 20 + (process.pid % 200)
const v4 = `198.18.${octet}.1/24`
const v4b = `198.19.${octet}.1/24`
const v6 = `fd42:${(process.pid % 0xffff).toString(16)}::1/64`
const quiet = quietBridge

let dir = ''
let daemon: Corrald | undefined
const env = (): NodeJS.ProcessEnv =>
  stockClientEnv(path.join(dir, 'home'), {
    CORRAL_DIR: dir,
    CORRAL_CONF: path.join(dir, 'client'),
    LXD_DIR: dir,
  })

const corral = inProcessCorral(env)

/** Stock lxc on the same socket. */
function lxc(args: string[]): { stdout: string; stderr: string; code: number } {
  const r = spawnSync('lxc', args, { env: env(), encoding: 'utf8' })
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 }
}

before(async () => {
  if (skip) return
  dir = makeStateDir('corral-cli-net')
  buildBusyboxImage(path.join(dir, 'img'))
  daemon = await startCorrald(dir)
})

after(async () => {
  if (skip) return
  if (daemon) {
    const client = connectUnix(path.join(dir, 'unix.socket'))
    for (const i of await client.instances.listFull().catch(() => [])) {
      spawnSync('lxc-stop', ['-k', '-n', i.name, '-P', path.join(dir, 'containers')], { stdio: 'ignore' })
      await client.instances.delete(i.name).catch(() => undefined)
    }
    const { profile, etag } = await client.profiles.get('default')
    const devices = Object.fromEntries(
      Object.entries(profile.devices ?? {}).filter(([, d]) => d.type !== 'nic'),
    )
    await client.profiles.put(
      'default',
      { config: profile.config, description: profile.description, devices },
      etag,
    )
    for (const n of await client.networks.list().catch(() => []))
      if (n.managed) await client.networks.delete(n.name).catch((err: unknown) => console.error(err))
  }
  await cleanup(daemon, dir)
})

test(
  'init --preseed creates the pool, a bridge and the default profile NIC; again changes nothing',
  { skip },
  async () => {
    const seed = `storage_pools:
- name: default
  driver: dir
networks:
- name: ${net}
  type: bridge
  config:
    ipv4.address: ${v4}
    ipv6.address: ${v6}
${quiet.map((kv) => `    ${kv.replace('=', ': ')}`).join('\n')}
profiles:
- name: default
  devices:
    root: {type: disk, path: /, pool: default}
    eth0: {type: nic, network: ${net}, name: eth0}
`
    assert.deepEqual(await corral(['init', '--preseed'], seed), { stdout: '', stderr: '', code: 0 })
    assert.equal((await corral(['admin', 'init', '--preseed'], seed)).code, 0)
    assert.equal(
      (await corral(['profile', 'device', 'show', 'default'])).stdout,
      `eth0:\n  name: eth0\n  network: ${net}\n  type: nic\nroot:\n  path: /\n  pool: default\n  type: disk\n`,
    )
    assert.equal((await corral(['network', 'get', net, 'ipv4.address'])).stdout, `${v4}\n`)
    const auto = await corral(['init', '--auto'])
    assert.deepEqual(
      auto,
      { stdout: '', stderr: '', code: 0 },
      'auto adds nothing: a pool and a managed network exist',
    )
    assert.equal(
      (await corral(['network', 'list', '-f', 'csv'])).stdout
        .split('\n')
        // A corralbr0 of another daemon on this host is listed unmanaged; init made no managed one.
        .filter((l) => l.startsWith('corralbr') && l.split(',')[2] === 'YES').length,
      0,
    )
  },
)

test(
  'init --preseed refuses a bad document before changing anything, and undoes a failed step',
  { skip },
  async () => {
    // Managed networks only: other runs on this host may add and remove host interfaces meanwhile.
    const managedNetworks = async () =>
      (JSON.parse((await corral(['network', 'list', '-f', 'json'])).stdout) as { managed: boolean }[]).filter(
        (n) => n.managed,
      )
    const before = await managedNetworks()
    const bad = await corral(
      ['init', '--preseed'],
      `networks:\n- name: ${net2}\n  config: {ipv4.address: ${v4b}}\nprofiles:\n- name: default\n  devices:\n    eth1: {type: nic, network: nope}\n`,
    )
    assert.deepEqual(bad, {
      stdout: '',
      stderr:
        'Error: Invalid preseed: device "eth1" of profile "default" uses network "nope", which does not exist\n',
      code: 1,
    })
    const failing = `networks:\n- name: ${net2}\n  config:\n    ipv4.address: ${v4b}\n    ipv6.address: none\n${quiet.map((kv) => `    ${kv.replace('=', ': ')}`).join('\n')}\n- name: crtx${tag}\n  config: {bogus.key: x}\n`
    const r = await corral(['init', '--preseed'], failing)
    assert.equal(r.code, 1)
    assert.match(
      r.stderr,
      new RegExp(`^Error: Failed to create local member network "crtx${tag}" in project "default": `),
    )
    assert.deepEqual(await managedNetworks(), before, `${net2} was deleted again`)
  },
)

test('network list, show, get and list-leases print what stock lxc prints', { skip }, async () => {
  for (const args of [
    ['network', 'list'],
    ['network', 'list', '-f', 'csv'],
    ['network', 'list', '-f', 'json'],
    ['network', 'list', '-f', 'yaml'],
    ['network', 'list', '-f', 'compact'],
    ['network', 'show', net],
    ['network', 'show', 'lo'],
    ['network', 'get', net, 'ipv6.address'],
    ['network', 'get', net, 'nope'],
    ['network', 'list-leases', net],
    ['network', 'list-leases', net, '-f', 'json'],
    ['network', 'show', 'nope'],
    ['network', 'set', 'lo', 'user.x=1'],
    ['network', 'list', 'foo'],
  ])
    assert.deepEqual(await corral(args), lxc(args), args.join(' '))
  const info = (await corral(['network', 'info', net])).stdout
  const stock = lxc(['network', 'info', net]).stdout
  assert.equal(info.split('\nNetwork usage:')[0], stock.split('\nNetwork usage:')[0])
  assert.equal(info.split('\nBridge:')[1], stock.split('\nBridge:')[1])
})

test('network create, set, unset, edit, rename and delete on the live daemon', { skip }, async () => {
  assert.deepEqual(
    await corral(['network', 'create', net2, `ipv4.address=${v4b}`, 'ipv6.address=none', ...quiet]),
    {
      stdout: `Network ${net2} created\n`,
      stderr: '',
      code: 0,
    },
  )
  assert.deepEqual(await corral(['network', 'create', net2]), {
    stdout: '',
    stderr: 'Error: The network already exists\n',
    code: 1,
  })
  assert.equal((await corral(['network', 'set', net2, 'user.a', 'b'])).code, 0)
  assert.equal((await corral(['network', 'set', net2, 'dns.domain=crt', 'user.c=d'])).code, 0)
  assert.equal((await corral(['network', 'unset', net2, 'user.a'])).code, 0)
  assert.deepEqual(
    await corral(['network', 'set', net2, 'bogus=1']),
    lxc(['network', 'set', net2, 'bogus=1']),
  )
  assert.equal(lxc(['network', 'get', net2, 'dns.domain']).stdout, 'crt\n')
  // unset sends the key empty, as lxc does (LXD then drops it; corrald keeps it empty today).
  assert.deepEqual(await corral(['network', 'get', net2, 'user.a']), lxc(['network', 'get', net2, 'user.a']))
  assert.notEqual(lxc(['network', 'get', net2, 'user.a']).stdout, 'b\n')
  const edited = `config:\n  ipv4.address: ${v4b}\n  ipv6.address: none\n${quiet.map((kv) => `  ${kv.replace('=', ': ')}`).join('\n')}\ndescription: edited\n`
  assert.deepEqual(await corral(['network', 'edit', net2], edited), { stdout: '', stderr: '', code: 0 })
  assert.equal(
    lxc(['network', 'list', '-f', 'csv']).stdout.includes(
      `${net2},bridge,YES,${v4b},none,edited,0,CREATED\n`,
    ),
    true,
  )
  assert.deepEqual(await corral(['network', 'rename', net2, `${net2}r`]), {
    stdout: `Network ${net2} renamed to ${net2}r\n`,
    stderr: '',
    code: 0,
  })
  assert.deepEqual(await corral(['network', 'delete', `${net2}r`]), {
    stdout: `Network ${net2}r deleted\n`,
    stderr: '',
    code: 0,
  })
  assert.equal(fs.existsSync(`/sys/class/net/${net2}r`), false)
})

test(
  'network attach, detach, attach-profile and detach-profile change the devices as lxc does',
  { skip },
  async () => {
    const imp = await corral(['image', 'import', path.join(dir, 'img/busybox.tar.xz'), '--alias', 'busybox'])
    assert.equal(imp.code, 0, imp.stderr)
    const c = `crtc${tag}`
    assert.equal((await corral(['init', 'busybox', c])).code, 0)
    assert.deepEqual(await corral(['network', 'attach', net, c, 'eth1', 'eth1']), {
      stdout: '',
      stderr: '',
      code: 0,
    })
    assert.equal(
      (await corral(['config', 'device', 'show', c])).stdout,
      `eth1:\n  name: eth1\n  network: ${net}\n  type: nic\n`,
    )
    assert.deepEqual(await corral(['network', 'attach', net, c, 'eth1']), {
      stdout: '',
      stderr: 'Error: Device already exists: eth1\n',
      code: 1,
    })
    assert.deepEqual(await corral(['network', 'delete', net]), lxc(['network', 'delete', net]))
    assert.equal((await corral(['network', 'delete', net])).code, 1, 'a network in use is not deleted')
    assert.deepEqual(
      await corral(['network', 'detach', net, c, 'zz']),
      lxc(['network', 'detach', net, c, 'zz']),
    )
    assert.deepEqual(await corral(['network', 'detach', net, c]), { stdout: '', stderr: '', code: 0 })
    assert.equal((await corral(['config', 'device', 'show', c])).stdout, '{}\n')
    assert.deepEqual(await corral(['network', 'attach-profile', net, 'default', 'crtp']), {
      stdout: '',
      stderr: '',
      code: 0,
    })
    const profile = (await corral(['profile', 'device', 'show', 'default'])).stdout
    assert.match(profile, new RegExp(`^crtp:\n  nictype: bridged\n  parent: ${net}\n  type: nic\n`))
    assert.deepEqual(await corral(['network', 'detach-profile', net, 'default']), {
      stdout: '',
      stderr: 'Error: More than one device matches, specify the device name\n',
      code: 1,
    })
    assert.deepEqual(await corral(['network', 'detach-profile', net, 'default', 'crtp']), {
      stdout: '',
      stderr: '',
      code: 0,
    })
    assert.equal((await corral(['delete', c])).code, 0)
  },
)
