/** @module System tier: busybox containers on a managed bridge: DHCP, DNS by name, SLAAC, static leases, hot-plug. */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { run, startCorrald } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { instanceAddress, until } from '../helpers/instance-net.js'
import { addForwardGuard } from '../helpers/net-guard.js'

const skip = sessionSkipReason({ image: true, pool: true }, ['dnsmasq', 'dig'])
const tag = String(process.pid % 100000)
const net = `crtb${tag}`
const c1 = `c1x${tag}`
const c2 = `c2x${tag}`
const c3 = `c3x${tag}`
let s: LxcSession
let removeGuard = () => {}

/** Polls `check` until it returns a value or `ms` pass. */

const dig = (name: string, type = 'A') =>
  run('dig', ['+short', '+time=2', '+tries=1', `@198.18.60.1`, name, type]).stdout.trim()

before(async () => {
  if (skip) return
  removeGuard = addForwardGuard(tag)
  s = await startLxcSession('corral-nic', { image: true, pool: true })
  s.must([
    'network',
    'create',
    net,
    'ipv4.address=198.18.60.1/24',
    'ipv6.address=fd42:60::1/64',
    'ipv4.routing=false',
    'ipv6.routing=false',
    'dns.domain=corral.test',
  ])
  for (const [name, host] of [
    [c1, `crth1${tag}`],
    [c2, `crth2${tag}`],
  ] as const) {
    s.must(['init', 'busybox', name])
    s.must(['config', 'device', 'add', name, 'eth0', 'nic', `network=${net}`, `host_name=${host}`])
    s.must(['start', name])
  }
})

after(async () => {
  if (skip) return
  try {
    // Stopped through the daemon, which removes the NICs' host ends (LXC returns phys links to the host).
    for (const c of [c1, c2, c3]) s.lxc(['stop', c, '--force'])
    await s.close([c1, c2, c3])
  } finally {
    for (const host of [1, 2, 3].map((i) => `crth${i}${tag}`))
      if (existsSync(`/sys/class/net/${host}`)) run('ip', ['link', 'del', host])
    removeGuard()
  }
})

test(
  'two containers get DHCPv4 addresses, ping each other and the bridge, and resolve each other by name',
  { skip },
  async () => {
    const a1 = await until('c1 DHCP', () => instanceAddress(s, c1, 'inet'))
    const a2 = await until('c2 DHCP', () => instanceAddress(s, c2, 'inet'))
    assert.match(a1, /^198\.18\.60\.\d+$/)
    assert.match(
      s.must(['list', c1, '--format', 'csv', '-c', '4']),
      new RegExp(`${a1.replace(/\./g, '\\.')} \\(eth0\\)`),
    )
    s.must(['exec', c1, '--', 'ping', '-c', '1', '-W', '2', a2])
    s.must(['exec', c1, '--', 'ping', '-c', '1', '-W', '2', '198.18.60.1'])
    const inside = s.must(['exec', c1, '--', 'nslookup', `${c2}.corral.test`, '198.18.60.1'])
    assert.match(inside, new RegExp(a2.replace(/\./g, '\\.')))
    assert.equal(dig(`${c2}.corral.test`), a2)
    assert.equal(dig(`${c1}.corral.test`), a1)
  },
)

test(
  'IPv6: each container takes a SLAAC address from the router advertisements and has an AAAA record',
  { skip },
  async () => {
    const v6 = await until('c1 SLAAC', () => instanceAddress(s, c1, 'inet6'))
    assert.match(v6, /^fd42:60::/)
    const aaaa = await until('AAAA record', () => dig(`${c1}.corral.test`, 'AAAA') || undefined)
    assert.equal(aaaa, v6)
  },
)

test(
  "a container asking DHCP for another container's hostname does not get that name's record",
  { skip },
  () => {
    const a1 = instanceAddress(s, c1, 'inet')!
    // c2 renews its lease claiming c1's name; the script keeps its address as is.
    s.must(['exec', c2, '--', 'udhcpc', '-i', 'eth0', '-n', '-q', '-x', `hostname:${c1}`, '-s', '/bin/true'])
    assert.equal(dig(`${c1}.corral.test`), a1)
  },
)

test(
  'a static ipv4.address is in the hosts entry, is what the container gets, and is listed as static',
  { skip },
  async () => {
    s.must(['stop', c2, '--force'])
    s.must(['config', 'device', 'set', c2, 'eth0', 'ipv4.address=198.18.60.200'])
    s.must(['start', c2])
    const hosts = join(s.dir, 'networks', net, 'dnsmasq.hosts')
    const entry = readdirSync(hosts).find((f) => f.includes(c2))!
    assert.match(
      readFileSync(join(hosts, entry), 'utf8'),
      new RegExp(`^00:16:3e:[0-9a-f:]+,198\\.18\\.60\\.200,${c2}$`, 'm'),
    )
    assert.equal(await until('static lease', () => instanceAddress(s, c2, 'inet')), '198.18.60.200')
    assert.match(
      s.must(['network', 'list-leases', net, '--format', 'csv']),
      new RegExp(`^${c2},00:16:3e:[0-9a-f:]+,198.18.60.200,STATIC$`, 'm'),
    )
  },
)

test('bad NIC input is refused and changes nothing', { skip }, () => {
  const cases: [string[], RegExp][] = [
    [['ipv4.address=198.18.60.1'], /network's own address/],
    [['ipv4.address=198.18.61.5'], /outside the network's subnet/],
    [['ipv4.address=198.18.60.200'], /already used by/],
    [['hwaddr=00:16:3e:zz:00:01'], /Invalid MAC address/],
    [['name=eth0'], /both use the interface name "eth0"/],
    [['foo=bar'], /Invalid device option "foo"/],
  ]
  const before = s.must(['config', 'show', c1])
  for (const [keys, message] of cases) {
    const r = s.lxc(['config', 'device', 'add', c1, 'eth9', 'nic', `network=${net}`, ...keys])
    assert.notEqual(r.status, 0, keys.join(' '))
    assert.match(r.stderr, message, keys.join(' '))
  }
  assert.equal(s.must(['config', 'show', c1]), before)
  const del = s.lxc(['network', 'delete', net])
  assert.notEqual(del.status, 0)
  assert.match(del.stderr, /in use/)
})

test(
  'hot-plug: a second NIC added to a running container appears inside and on the host, and goes away again',
  { skip },
  () => {
    const host = `crth3${tag}`
    s.must([
      'config',
      'device',
      'add',
      c1,
      'eth1',
      'nic',
      `network=${net}`,
      `host_name=${host}`,
      'limits.ingress=10Mbit',
      'ipv4.routes=198.18.61.0/28',
    ])
    assert.match(s.must(['exec', c1, '--', 'ip', 'link', 'show', 'eth1']), /eth1/)
    // Bandwidth limits on the host end: ingress to the instance is the veth's egress.
    assert.match(run('tc', ['class', 'show', 'dev', host]).stdout, /htb 1:10 .*rate 10Mbit/)
    assert.match(run('ip', ['-4', 'route', 'show', '198.18.61.0/28']).stdout, new RegExp(`dev ${net}`))
    assert.ok(existsSync(`/sys/class/net/${host}`))
    assert.ok(existsSync(`/sys/class/net/${net}/brif/${host}`), 'the host end is a port of the bridge')
    assert.equal(readFileSync(`/proc/sys/net/ipv6/conf/${host}/disable_ipv6`, 'utf8').trim(), '1')
    s.must(['config', 'device', 'remove', c1, 'eth1'])
    assert.notEqual(s.lxc(['exec', c1, '--', 'ip', 'link', 'show', 'eth1']).status, 0)
    assert.ok(!existsSync(`/sys/class/net/${host}`))
    assert.equal(run('ip', ['-4', 'route', 'show', '198.18.61.0/28']).stdout, '', 'its route went with it')
    // limits.egress polices the veth's ingress, which needs the kernel's act_police action.
    const egress = s.lxc([
      'config',
      'device',
      'add',
      c1,
      'eth2',
      'nic',
      `network=${net}`,
      `host_name=${host}`,
      'limits.egress=5Mbit',
    ])
    if (egress.status === 0) {
      assert.match(run('tc', ['filter', 'show', 'dev', host, 'parent', 'ffff:']).stdout, /rate 5Mbit/)
      s.must(['config', 'device', 'remove', c1, 'eth2'])
    } else {
      assert.match(egress.stderr, /limits.egress needs the kernel's act_police traffic-control action/)
      assert.ok(!existsSync(`/sys/class/net/${host}`), 'the half-made NIC was undone')
      assert.doesNotMatch(s.must(['config', 'show', c1]), /eth2/)
    }
  },
)

test('restarting corrald leaves the bridge, dnsmasq and the NICs working', { skip }, async () => {
  await s.daemon().stop()
  s.setDaemon(await startCorrald(s.dir))
  const a2 = instanceAddress(s, c2, 'inet')!
  s.must(['exec', c1, '--', 'ping', '-c', '1', '-W', '2', a2])
  assert.equal(dig(`${c2}.corral.test`), a2)
})

test('a killed dnsmasq is restarted by the daemon and the leases survive', { skip }, async () => {
  const a1 = instanceAddress(s, c1, 'inet')!
  const pidFile = join(s.dir, 'networks', net, 'dnsmasq.pid')
  const old = Number(readFileSync(pidFile, 'utf8'))
  process.kill(old, 'SIGKILL')
  await until('a new dnsmasq', () => {
    const pid = Number(readFileSync(pidFile, 'utf8'))
    return pid !== old && existsSync(`/proc/${pid}`) ? pid : undefined
  })
  const leases = s.must(['network', 'list-leases', net, '--format', 'csv'])
  assert.match(leases, new RegExp(`^${c1},00:16:3e:[0-9a-f:]+,${a1.replace(/\./g, '\\.')},DYNAMIC$`, 'm'))
  assert.equal(dig(`${c1}.corral.test`), a1)
})

test(
  'lxc launch --network puts a new container on the network; lxc list shows its address',
  { skip },
  async () => {
    s.must(['launch', 'busybox', c3, '--network', net])
    const a3 = await until('c3 DHCP', () => instanceAddress(s, c3, 'inet'))
    const listed = s.must(['list', c3, '--format', 'csv', '-c', 'n4'])
    assert.equal(listed.trim(), `${c3},${a3} (eth0)`)
    s.must(['stop', c3, '--force'])
    s.must(['delete', c3])
  },
)
