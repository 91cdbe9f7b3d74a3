/** @module System tier: routed NICs: host routes, link-local gateways, proxy ARP, reverse-path filtering, cleanup. */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { addForwardGuard } from '../helpers/net-guard.js'

const skip = sessionSkipReason({ image: true, pool: true }, ['nft'])
const tag = String(process.pid % 100000)
const parent = `crtp${tag}`
const r3 = `r3x${tag}`
const r4 = `r4x${tag}`
const host3 = `crtr3${tag}`
const host4 = `crtr4${tag}`
let s: LxcSession
let table = ''
let removeGuard = () => {}

const sysctl = (path: string) => readFileSync(`/proc/sys/${path}`, 'utf8').trim()
const routeTo = (address: string) => run('ip', ['-4', 'route', 'show', address]).stdout.trim()
const proxies = () => run('ip', ['-4', 'neigh', 'show', 'proxy', 'dev', parent]).stdout
const chain = () => run('nft', ['list', 'chain', 'inet', table, `prert.${host3}`])

before(async () => {
  if (skip) return
  removeGuard = addForwardGuard(`r${tag}`)
  // Any interface can carry the proxy entries; this kernel has no dummy driver, so a bare bridge.
  assert.equal(run('ip', ['link', 'add', parent, 'type', 'bridge']).status, 0)
  run('ip', ['link', 'set', parent, 'up'])
  // LXD's pre-check for a routed parent (this is the test's own interface).
  writeFileSync(`/proc/sys/net/ipv4/conf/${parent}/forwarding`, '1')
  s = await startLxcSession('corral-routed', { image: true, pool: true })
  table = `corral_${createHash('sha256').update(s.dir).digest('hex').slice(0, 8)}`
  // The NIC is not called eth0: the image's boot script would run a DHCP client on eth0.
  const nics: [string, string, string, string[]][] = [
    [r3, host3, '198.18.70.10', [`parent=${parent}`]],
    [r4, host4, '198.18.70.11', []],
  ]
  for (const [name, host, address, extra] of nics) {
    s.must(['init', 'busybox', name])
    s.must([
      'config',
      'device',
      'add',
      name,
      'rt0',
      'nic',
      'nictype=routed',
      `ipv4.address=${address}`,
      `host_name=${host}`,
      'name=rt0',
      ...extra,
    ])
    s.must(['start', name])
  }
})

after(async () => {
  if (skip) return
  try {
    for (const c of [r3, r4]) s.lxc(['stop', c, '--force'])
    await s.close([r3, r4])
  } finally {
    for (const link of [host3, host4, parent])
      if (existsSync(`/sys/class/net/${link}`)) run('ip', ['link', 'del', link])
    removeGuard()
  }
})

test(
  'a routed container reaches the host through its gateway; the host routes its /32 to the veth',
  { skip },
  () => {
    assert.match(s.must(['exec', r3, '--', 'ip', '-4', 'addr', 'show', 'rt0']), /inet 198\.18\.70\.10\/32/)
    assert.match(s.must(['exec', r3, '--', 'ip', '-4', 'route']), /default via 169\.254\.0\.1 dev rt0/)
    s.must(['exec', r3, '--', 'ping', '-c', '1', '-W', '2', '169.254.0.1'])
    assert.match(routeTo('198.18.70.10'), new RegExp(`^198\\.18\\.70\\.10 dev ${host3} scope link`))
    assert.equal(sysctl(`net/ipv6/conf/${host3}/accept_ra`), '0')
    assert.equal(sysctl(`net/ipv4/conf/${host3}/rp_filter`), '1')
    assert.match(proxies(), /198\.18\.70\.10 proxy/)
  },
)

test(
  'two routed containers reach each other; a packet with another source address is dropped and counted',
  { skip },
  () => {
    s.must(['exec', r3, '--', 'ping', '-c', '1', '-W', '2', '198.18.70.11'])
    const counted = () => Number(/counter packets (\d+)/.exec(chain().stdout)?.[1] ?? -1)
    const before = counted()
    assert.ok(before >= 0, 'the reverse-path rule exists')
    s.must(['exec', r3, '--', 'ip', 'addr', 'add', '198.18.70.99/32', 'dev', 'rt0'])
    const spoofed = s.lxc([
      'exec',
      r3,
      '--',
      'ping',
      '-c',
      '2',
      '-W',
      '1',
      '-I',
      '198.18.70.99',
      '198.18.70.11',
    ])
    assert.notEqual(spoofed.status, 0, 'no reply to a spoofed source')
    assert.ok(counted() >= before + 2, `the drop rule counted the spoofed packets (${before} → ${counted()})`)
    s.must(['exec', r3, '--', 'ip', 'addr', 'del', '198.18.70.99/32', 'dev', 'rt0'])
  },
)

test("LXD's pre-check: a parent that does not forward is refused with the sysctl to set", { skip }, () => {
  s.must(['stop', r3, '--force'])
  const key = `/proc/sys/net/ipv4/conf/${parent}/forwarding`
  writeFileSync(key, '0')
  try {
    const r = s.lxc(['start', r3])
    assert.notEqual(r.status, 0)
    assert.match(
      r.stderr,
      new RegExp(`Routed mode requires sysctl net\\.ipv4\\.conf\\.${parent}\\.forwarding=1`),
    )
    assert.ok(!existsSync(`/sys/class/net/${host3}`), 'nothing was left from the attempt')
  } finally {
    writeFileSync(key, '1')
  }
  s.must(['start', r3])
})

test('after stop no route, neighbour proxy, veth or rule of the NIC remains', { skip }, () => {
  s.must(['stop', r3, '--force'])
  assert.equal(routeTo('198.18.70.10'), '')
  assert.doesNotMatch(proxies(), /198\.18\.70\.10/)
  assert.ok(!existsSync(`/sys/class/net/${host3}`))
  assert.notEqual(chain().status, 0, 'the reverse-path chain is gone')
})
