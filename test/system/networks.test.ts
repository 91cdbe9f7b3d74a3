/** @module System tier: managed bridges with their own dnsmasq and nft chains, driven by the stock lxc client. */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { run, startCorrald } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({}, ['dnsmasq', 'nft'])
const bridge = `crtn${process.pid % 100000}`
let s: LxcSession
let table = ''

/** The pid of the bridge's dnsmasq from its pid file, checked against /proc. */
function dnsmasqPid(name = bridge): number | undefined {
  try {
    const pid = Number(readFileSync(join(s.dir, 'networks', name, 'dnsmasq.pid'), 'utf8').trim())
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    return cmdline.includes(`--interface=${name}`) ? pid : undefined
  } catch {
    return undefined
  }
}

/** The daemon's nft table, or '' when it does not exist. */
const nftTable = () => {
  const r = run('nft', ['list', 'table', 'inet', table])
  return r.status === 0 ? r.stdout : ''
}

/** Resolves a name with busybox's nslookup against a server; returns its output. */
const nslookup = (name: string, server: string) => run('busybox', ['nslookup', name, server]).stdout

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-net')
  table = `corral_${createHash('sha256').update(s.dir).digest('hex').slice(0, 8)}`
})

after(async () => {
  if (skip) return
  await s.close()
  assert.ok(!existsSync(`/sys/class/net/${bridge}`), 'the bridge is gone after the test')
})

test(
  'lxc network create sets up the bridge, its addresses, nft chains and a dnsmasq with no upstream',
  { skip },
  () => {
    s.must([
      'network',
      'create',
      bridge,
      'ipv4.address=198.18.50.1/24',
      'ipv6.address=fd42:50::1/64',
      'ipv4.routing=false',
      'ipv6.routing=false',
      'dns.domain=corral.test',
    ])
    const addrs = JSON.parse(run('ip', ['-j', 'addr', 'show', 'dev', bridge]).stdout) as {
      addr_info: { local: string; prefixlen: number; scope: string }[]
    }[]
    const global = addrs[0]!.addr_info
      .filter((a) => a.scope === 'global')
      .map((a) => `${a.local}/${a.prefixlen}`)
    assert.deepEqual(global.sort(), ['198.18.50.1/24', 'fd42:50::1/64'])
    const sysctl = (key: string) => readFileSync(`/proc/sys/net/ipv6/conf/${bridge}/${key}`, 'utf8').trim()
    assert.equal(sysctl('accept_ra'), '0', 'the host takes no router advertisements from its instances')
    assert.equal(sysctl('autoconf'), '0')
    const pid = dnsmasqPid()
    assert.ok(pid, 'dnsmasq runs for the bridge')
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    for (const a of [
      '--no-resolv',
      '--listen-address=198.18.50.1',
      '--dhcp-ignore-names',
      '-S',
      '/corral.test/',
    ])
      assert.ok(args.includes(a), a)
    assert.ok(!args.some((a) => a.startsWith('--server')), 'no upstream server')
    const rules = nftTable()
    assert.match(rules, new RegExp(`chain in\\.${bridge} \\{`))
    assert.match(rules, new RegExp(`iifname "${bridge}" udp dport 67 accept`))
    assert.match(nslookup('_gateway.corral.test', '198.18.50.1'), /Address:? *198\.18\.50\.1/)
  },
)

test('lxc network list, show, info and list-leases', { skip }, () => {
  const list = s.must(['network', 'list', '--format', 'csv'])
  assert.match(list, new RegExp(`^${bridge},bridge,YES,198.18.50.1/24,fd42:50::1/64,,0,CREATED$`, 'm'))
  const shown = s.must(['network', 'show', bridge])
  assert.match(shown, /ipv4\.address: 198\.18\.50\.1\/24/)
  assert.match(shown, /managed: true/)
  const info = s.must(['network', 'info', bridge])
  assert.match(info, /inet\s+198\.18\.50\.1\/24 \(global\)/)
  assert.match(info, /State: up/)
  const leases = s.must(['network', 'list-leases', bridge, '--format', 'csv'])
  assert.match(leases, new RegExp(`^${bridge}.gw,,198.18.50.1,GATEWAY$`, 'm'))
})

test(
  'lxc network set restarts dnsmasq with the new config; a killed dnsmasq is restarted',
  { skip },
  async () => {
    const before = dnsmasqPid()
    s.must(['network', 'set', bridge, 'dns.domain', 'other.test'])
    const after = dnsmasqPid()
    assert.ok(after && after !== before)
    assert.match(nslookup('_gateway.other.test', '198.18.50.1'), /198\.18\.50\.1/)
    process.kill(after, 'SIGKILL')
    let restarted: number | undefined
    for (let i = 0; i < 50 && !restarted; i++) {
      await sleep(100)
      const pid = dnsmasqPid()
      if (pid && pid !== after) restarted = pid
    }
    assert.ok(restarted, 'the daemon started a new dnsmasq')
    assert.match(nslookup('_gateway.other.test', '198.18.50.1'), /198\.18\.50\.1/)
  },
)

test('bad network input is refused with a clear 4xx and leaves the host unchanged', { skip }, () => {
  const links = () => run('ip', ['-br', 'link']).stdout
  const before = { links: links(), rules: nftTable() }
  const cases: [string[], RegExp][] = [
    [['crtbad0', 'ipv4.address=198.18.50.9/24', 'ipv6.address=none'], /overlaps 198\.18\.50\.0\/24/],
    [
      ['crtbad1', 'ipv4.address=198.18.51.1/24', 'ipv4.dhcp.ranges=198.18.52.2-198.18.52.9'],
      /outside 198\.18\.51\.0\/24/,
    ],
    [['crtbad2', 'ipv4.address=198.18.51.1/24', 'bridge.hwaddr=00:16:3e:zz:00:01'], /Invalid MAC address/],
    [['crtbad3', 'ipv4.address=198.18.51.1/24', 'foo=bar'], /Invalid option "foo"/],
    [['crt/bad', 'ipv4.address=198.18.51.1/24'], /Invalid network name|not found/],
    [['crtbad4-name-too-long', 'ipv4.address=198.18.51.1/24'], /Invalid network name/],
    [['crtbad5', 'ipv4.address=198.18.51.0/24'], /network or broadcast/],
    [[bridge, 'ipv4.address=198.18.53.1/24'], /already exists/],
  ]
  for (const [args, message] of cases) {
    const r = s.lxc(['network', 'create', ...args])
    assert.notEqual(r.status, 0, args.join(' '))
    assert.match(r.stderr, message, args.join(' '))
  }
  // dnsmasq itself refuses this option: the half-made bridge and its chains are undone.
  const dnsmasqFails = s.lxc([
    'network',
    'create',
    'crtbad6',
    'ipv4.address=198.18.54.1/24',
    'ipv6.address=none',
    'raw.dnsmasq=no-such-option=1',
  ])
  assert.notEqual(dnsmasqFails.status, 0)
  assert.match(dnsmasqFails.stderr, /Failed to set up the network: dnsmasq for "crtbad6" failed/)
  assert.ok(!existsSync('/sys/class/net/crtbad6'))
  const setBad = s.lxc(['network', 'set', bridge, 'ipv4.address', '198.18.50.1/33'])
  assert.notEqual(setBad.status, 0)
  assert.deepEqual({ links: links(), rules: nftTable() }, before)
  assert.match(s.must(['network', 'get', bridge, 'ipv4.address']), /^198\.18\.50\.1\/24$/m)
})

test(
  'restarting corrald keeps the bridge and replaces dnsmasq; deleting removes everything',
  { skip },
  async () => {
    await s.daemon().stop()
    assert.ok(dnsmasqPid(), 'dnsmasq keeps serving while the daemon is down')
    const old = dnsmasqPid()
    s.setDaemon(await startCorrald(s.dir))
    const now = dnsmasqPid()
    assert.ok(now && now !== old, 'the new daemon runs its own dnsmasq')
    assert.ok(!existsSync(`/proc/${old}`) || !readFileSync(`/proc/${old}/cmdline`, 'utf8').includes(bridge))
    assert.match(
      s.must(['network', 'list', '--format', 'csv']),
      new RegExp(`^${bridge},bridge,YES,.*,CREATED$`, 'm'),
    )
    s.must(['network', 'delete', bridge])
    assert.ok(!existsSync(`/sys/class/net/${bridge}`))
    assert.equal(dnsmasqPid(), undefined)
    assert.equal(nftTable(), '', 'the daemon table goes with its last network')
  },
)
