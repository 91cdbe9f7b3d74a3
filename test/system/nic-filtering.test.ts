/** @module System tier: bridged NIC spoofing protection (nftables), proven by spoofing from inside a real container. */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { repoRoot, run, startCorrald } from '../helpers/corrald.js'
import {
  arp,
  ethernet,
  hex,
  icmp6Echo,
  icmpEcho,
  ipv4,
  ipv6,
  neighborAdvert,
  qinq,
  routerAdvert,
} from '../helpers/frames.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { instanceAddress, until } from '../helpers/instance-net.js'
import { addForwardGuard } from '../helpers/net-guard.js'

const skip = sessionSkipReason({ image: true, pool: true }, ['tcpdump', 'gcc'])
const tag = String(process.pid % 100000)
const net = `crtf${tag}`
const profile = `crtf${tag}`
const c1 = `f1x${tag}`
const c2 = `f2x${tag}`
const gw4 = '198.18.80.1'
let s: LxcSession
let table = ''
let tool = ''
let build = ''
let removeGuard = () => {}
const nic = { mac1: '', mac2: '', ip1: '', ip2: '', v6_2: '', host1: '', host2: '', brmac: '' }

/** Counts the frames matching `filter` seen on `iface` while `action` runs. */
async function seen(iface: string, filter: string, action: () => void): Promise<number> {
  const p = spawn('tcpdump', ['-i', iface, '-nn', '-e', '-l', '-p', filter], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  p.stdout.on('data', (c: Buffer) => (out += c.toString()))
  p.stderr.on('data', (c: Buffer) => (err += c.toString()))
  await until('tcpdump to listen', () => (/listening on/.test(err) ? true : undefined), 10_000)
  action()
  await sleep(700)
  const exited = new Promise((r) => p.once('exit', r))
  p.kill('SIGINT')
  await exited
  return out.split('\n').filter((l) => l.trim() !== '').length
}

/** Sends a frame three times from inside c1. */
const send = (frame: Buffer) => s.must(['exec', c1, '--', '/root/sendframe', 'eth0', hex(frame), '3'])

/** Sets (or with '' unsets) keys on c1's NIC, which came from the profile: the first change overrides it. */
function nicKeys(keys: Record<string, string>): void {
  const local = (
    JSON.parse(s.must(['query', `/1.0/instances/${c1}`])) as { devices: Record<string, unknown> }
  ).devices.eth0
  const pairs = Object.entries(keys).filter(([, v]) => v !== '')
  if (!local) s.must(['config', 'device', 'override', c1, 'eth0', ...pairs.map(([k, v]) => `${k}=${v}`)])
  else if (pairs.length)
    s.must(['config', 'device', 'set', c1, 'eth0', ...pairs.map(([k, v]) => `${k}=${v}`)])
  for (const [k] of Object.entries(keys).filter(([, v]) => v === ''))
    s.must(['config', 'device', 'unset', c1, 'eth0', k])
  // Once no security key is left on, none of the NIC's rules may be.
  const device =
    (
      JSON.parse(s.must(['query', `/1.0/instances/${c1}`])) as {
        devices: Record<string, Record<string, string>>
      }
    ).devices.eth0 ?? {}
  const host = s.must(['config', 'get', c1, 'volatile.eth0.host_name']).trim()
  if (!Object.keys(device).some((k) => k.startsWith('security.')))
    assert.ok(!filterRules().includes(host), `no rule of ${host} is left once the keys are off`)
}

let driver: 'nftables' | 'xtables' = 'nftables'

/** Every NIC filter rule of the driver in use, as text. */
const filterRules = (): string => {
  if (driver === 'nftables') {
    const r = run('nft', ['list', 'table', 'bridge', table])
    return r.status === 0 ? r.stdout : ''
  }
  return [
    run('ebtables', ['-t', 'filter', '-L', 'INPUT']).stdout,
    run('ebtables', ['-t', 'filter', '-L', 'FORWARD']).stdout,
    run('ip6tables', ['-w', '-t', 'raw', '-S', 'PREROUTING']).stdout,
  ]
    .join('')
    .split('\n')
    .filter((l) => l.includes(nic.host1) || l.includes(nic.host2))
    .join('\n')
}

/** The whole suite, run once per firewall driver. */
function suite(): void {
  before(async () => {
    if (skip) return
    removeGuard = addForwardGuard(`f${tag}`)
    build = mkdtempSync('/tmp/corral-sendframe-')
    tool = join(build, 'sendframe')
    const cc = spawnSync('gcc', ['-static', '-O2', '-o', tool, join(repoRoot, 'test/fixtures/sendframe.c')], {
      encoding: 'utf8',
    })
    assert.equal(cc.status, 0, cc.stderr)
    s = await startLxcSession('corral-filter', { image: true, pool: true })
    table = `corral_${createHash('sha256').update(s.dir).digest('hex').slice(0, 8)}`
    s.must([
      'network',
      'create',
      net,
      `ipv4.address=${gw4}/24`,
      'ipv6.address=fd42:80::1/64',
      'ipv4.routing=false',
      'ipv6.routing=false',
    ])
    s.must(['profile', 'create', profile])
    s.must(['profile', 'device', 'add', profile, 'eth0', 'nic', `network=${net}`])
    for (const c of [c1, c2]) s.must(['launch', 'busybox', c, '-p', 'default', '-p', profile])
    s.must(['file', 'push', tool, `${c1}/root/sendframe`, '--mode', '0755'])
    nic.ip1 = await until('c1 DHCP', () => instanceAddress(s, c1, 'inet'))
    nic.ip2 = await until('c2 DHCP', () => instanceAddress(s, c2, 'inet'))
    nic.v6_2 = await until('c2 SLAAC', () => instanceAddress(s, c2, 'inet6'))
    for (const [k, c] of [
      ['1', c1],
      ['2', c2],
    ] as const) {
      nic[`mac${k}`] = s.must(['config', 'get', c, 'volatile.eth0.hwaddr']).trim()
      nic[`host${k}`] = s.must(['config', 'get', c, 'volatile.eth0.host_name']).trim()
    }
    nic.brmac = readFileSync(`/sys/class/net/${net}/address`, 'utf8').trim()
    const info = JSON.parse(s.must(['query', '/1.0'])) as { environment: { firewall: string } }
    assert.equal(info.environment.firewall, driver, 'GET /1.0 reports the driver in use')
  })

  after(async () => {
    if (skip) return
    try {
      // Through the daemon, so the driver removes the NICs' and the bridge's rules.
      for (const c of [c1, c2]) s.lxc(['delete', c, '--force'])
      s.lxc(['profile', 'delete', profile])
      s.lxc(['network', 'delete', net])
      await s.close([c1, c2])
    } finally {
      removeGuard()
      if (build) rmSync(build, { recursive: true, force: true })
    }
  })

  test(
    '1. a changed source MAC passes without filtering and not with security.mac_filtering',
    { skip },
    async () => {
      const spoof = () =>
        send(ethernet(nic.mac2, '00:16:3e:99:99:99', 0x0800, ipv4(nic.ip1, nic.ip2, 1, icmpEcho())))
      assert.ok(
        (await seen(nic.host2, 'ether src 00:16:3e:99:99:99', spoof)) > 0,
        'the spoofed frame reaches the peer',
      )
      nicKeys({ 'security.mac_filtering': 'true' })
      assert.equal(await seen(nic.host2, 'ether src 00:16:3e:99:99:99', spoof), 0)
      s.must(['exec', c1, '--', 'ping', '-c', '1', '-W', '2', nic.ip2])
      nicKeys({ 'security.mac_filtering': '' })
      assert.ok(!filterRules().includes(nic.host1), 'no rule is left when the key is off')
    },
  )

  test(
    "2. a gratuitous ARP claiming the peer's IPv4 changes the host's neighbour entry only without IPv4 filtering",
    { skip },
    async () => {
      const neighbour = () => run('ip', ['neigh', 'show', nic.ip2, 'dev', net]).stdout
      const claim = () =>
        send(
          ethernet(
            'ff:ff:ff:ff:ff:ff',
            nic.mac1,
            0x0806,
            arp(2, nic.mac1, nic.ip2, 'ff:ff:ff:ff:ff:ff', nic.ip2),
          ),
        )
      const reset = async () => {
        run('ip', ['neigh', 'del', nic.ip2, 'dev', net])
        run('busybox', ['ping', '-c', '1', '-W', '2', nic.ip2])
        await sleep(1200) // past the neighbour table's locktime
        assert.match(neighbour(), new RegExp(nic.mac2))
      }
      await reset()
      claim()
      await until('the poisoned entry', () => (neighbour().includes(nic.mac1) ? true : undefined), 5000)
      await reset()
      nicKeys({ 'security.ipv4_filtering': 'true' })
      assert.equal(
        await seen(
          net,
          `arp and ether src ${nic.mac1} and arp[14:4] = 0x${Buffer.from(nic.ip2.split('.').map(Number)).toString('hex')}`,
          claim,
        ),
        0,
      )
      assert.match(neighbour(), new RegExp(nic.mac2), 'the host still has the real MAC')
      s.must(['exec', c1, '--', 'ping', '-c', '1', '-W', '2', nic.ip2])
      nicKeys({ 'security.ipv4_filtering': '' })
    },
  )

  test("3. IPv4 packets with the peer's source address are dropped by IPv4 filtering", { skip }, async () => {
    const spoof = () => send(ethernet(nic.brmac, nic.mac1, 0x0800, ipv4(nic.ip2, gw4, 1, icmpEcho())))
    const filter = `icmp and src host ${nic.ip2} and ether src ${nic.mac1}`
    assert.ok((await seen(net, filter, spoof)) > 0)
    nicKeys({ 'security.ipv4_filtering': 'true' })
    assert.equal(await seen(net, filter, spoof), 0)
    s.must(['exec', c1, '--', 'ping', '-c', '1', '-W', '2', gw4])
    nicKeys({ 'security.ipv4_filtering': '' })
  })

  test(
    "4. IPv6 with another source and a neighbour advertisement for the peer's address are dropped by IPv6 filtering",
    { skip },
    async () => {
      const other = () =>
        send(ethernet(nic.brmac, nic.mac1, 0x86dd, ipv6('fd42:80::dead', 'fd42:80::1', 58, icmp6Echo())))
      const na = () =>
        send(
          ethernet(
            '33:33:00:00:00:01',
            nic.mac1,
            0x86dd,
            ipv6('fe80::1:2:3:4', 'ff02::1', 58, neighborAdvert(nic.v6_2, nic.mac1), 255),
          ),
        )
      const naFilter = `icmp6 and ether src ${nic.mac1} and ip6[40] = 136`
      assert.ok((await seen(net, 'ip6 and src host fd42:80::dead', other)) > 0)
      assert.ok((await seen(net, naFilter, na)) > 0)
      nicKeys({ 'security.ipv6_filtering': 'true' })
      assert.equal(await seen(net, 'ip6 and src host fd42:80::dead', other), 0)
      assert.equal(await seen(net, naFilter, na), 0)
      s.must(['exec', c1, '--', 'ping', '-c', '1', '-W', '2', nic.ip2])
      nicKeys({ 'security.ipv6_filtering': '' })
    },
  )

  test(
    '5. a router advertisement from the container changes nothing with IPv6 filtering on',
    { skip },
    async () => {
      const advertise = (prefix: string) =>
        send(
          ethernet(
            '33:33:00:00:00:01',
            nic.mac1,
            0x86dd,
            ipv6('fe80::216:3eff:fe00:1', 'ff02::1', 58, routerAdvert(prefix, nic.mac1), 255),
          ),
        )
      const peerHas = (prefix: string) =>
        s.must(['exec', c2, '--', 'ip', '-6', 'addr', 'show', 'eth0']).includes(prefix)
      advertise('fd42:81::')
      await until(
        'the peer to take the advertised prefix',
        () => (peerHas('fd42:81:') ? true : undefined),
        8000,
      )
      nicKeys({ 'security.ipv6_filtering': 'true' })
      try {
        // Route lifetimes count down; the routes themselves must stay the same.
        const routes = () => run('ip', ['-6', 'route', 'show']).stdout.replace(/ expires \d+sec/g, '')
        const routesBefore = routes()
        advertise('fd42:82::')
        await sleep(3000)
        assert.ok(!peerHas('fd42:82:'), "the peer's addresses did not change")
        assert.equal(routes(), routesBefore, "the host's routes did not change")
      } finally {
        nicKeys({ 'security.ipv6_filtering': '' })
      }
    },
  )

  test(
    '6. Q-in-Q and unrelated ethertypes pass without filtering and not with IP filtering',
    { skip },
    async () => {
      const frames = () => {
        send(qinq(nic.mac2, nic.mac1, ipv4(nic.ip1, nic.ip2, 1, icmpEcho())))
        send(ethernet(nic.mac2, nic.mac1, 0x88b5, Buffer.from('corral-experimental-ethertype')))
      }
      const filter = 'ether proto 0x88a8 or ether proto 0x88b5'
      assert.ok((await seen(nic.host2, filter, frames)) >= 2)
      nicKeys({ 'security.ipv4_filtering': 'true' })
      assert.equal(await seen(nic.host2, filter, frames), 0)
      nicKeys({ 'security.ipv4_filtering': '' })
    },
  )

  test(
    '7. with ipv4.address=none and IPv4 filtering no IPv4 or ARP leaves the container',
    { skip },
    async () => {
      nicKeys({ 'ipv4.address': 'none', 'security.ipv4_filtering': 'true' })
      const host1 = s.must(['config', 'get', c1, 'volatile.eth0.host_name']).trim()
      const tries = () =>
        s.lxc([
          'exec',
          c1,
          '--',
          'sh',
          '-c',
          `ip addr add ${nic.ip1}/24 dev eth0 2>/dev/null; ping -c 2 -W 1 ${gw4}`,
        ])
      assert.equal(await seen(net, `(arp or ip) and ether src ${nic.mac1}`, tries), 0)
      assert.ok(host1)
      nicKeys({ 'ipv4.address': '', 'security.ipv4_filtering': '' })
    },
  )

  test(
    '8. DHCP still works for a filtered container and its address is pinned as a static entry',
    { skip },
    async () => {
      nicKeys({ 'security.ipv4_filtering': 'true' })
      s.must(['exec', c1, '--', 'udhcpc', '-i', 'eth0', '-n', '-q', '-s', '/usr/share/udhcpc/default.script'])
      const got = await until('an address after DHCP', () => instanceAddress(s, c1, 'inet'))
      const hosts = join(s.dir, 'networks', net, 'dnsmasq.hosts')
      const entry = readdirSync(hosts).find((f) => f.includes(c1))!
      assert.match(
        readFileSync(join(hosts, entry), 'utf8'),
        new RegExp(`,${got.replace(/\./g, '\\.')},${c1}$`, 'm'),
      )
      s.must(['exec', c1, '--', 'ping', '-c', '1', '-W', '2', gw4])
    },
  )

  test(
    '9. rules survive a daemon restart unchanged; stopping the container removes all of its rules',
    { skip },
    async () => {
      const rules = filterRules()
      assert.ok(rules.includes(nic.host1), 'the filtered NIC has rules')
      await s.daemon().stop()
      s.setDaemon(await startCorrald(s.dir))
      assert.equal(filterRules(), rules)
      s.must(['stop', c1, '--force'])
      assert.ok(!filterRules().includes(nic.host1))
      if (driver === 'nftables')
        assert.equal(filterRules(), '', 'no filtered NIC is left, so neither is the table')
    },
  )
}

/** The nftables tables that exist now (the xtables tools create theirs on first use). */
const tables = () =>
  new Set(
    run('nft', ['list', 'tables'])
      .stdout.split('\n')
      .filter((l) => l.startsWith('table '))
      .map((l) => l.slice('table '.length)),
  )

for (const name of ['nftables', 'xtables'] as const) {
  describe(`spoofing protection with the ${name} driver`, { skip }, () => {
    let before0 = new Set<string>()
    before(() => {
      driver = name
      before0 = tables()
      // Every corrald of the suite (including restarts) inherits the forced driver.
      process.env.CORRAL_FIREWALL = name
    })
    suite()
    // Registered after the suite's own after(), so it runs once the daemon has removed its rules.
    after(() => {
      delete process.env.CORRAL_FIREWALL
      // Tables the xtables tools made for this suite go too, once nothing is left in them.
      for (const t of tables()) {
        if (before0.has(t)) continue
        const rules = run('nft', ['list', 'table', ...t.split(' ')]).stdout.replace(/policy \w+;/g, '')
        if (!/(accept|drop|masquerade|jump|counter)/.test(rules))
          run('nft', ['delete', 'table', ...t.split(' ')])
      }
    })
  })
}
