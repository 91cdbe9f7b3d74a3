/** @module Unit tier: a bridge's dnsmasq command line and nftables rules (golden), hosts and lease files. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateDevices } from '../../src/device/registry.js'
import { dnsmasqArgs, type DnsmasqInput } from '../../src/dnsmasq/args.js'
import { hostsLine, parseHostsLine } from '../../src/dnsmasq/hosts.js'
import { parseLeases } from '../../src/dnsmasq/leases.js'
import { bridgeFilterRemoveScript, bridgeFilterScript } from '../../src/firewall/nftables/nic-filter-rules.js'
import { networkRemoveScript, networkRulesScript } from '../../src/firewall/nftables/network-rules.js'
import { ruleArgs, xtablesNetworkRules, xtablesNicRules } from '../../src/firewall/xtables/rules.js'
import { dnsmasqV4, dnsmasqV6, pickSubnet, validateBridgeConfig } from '../../src/network/bridge-config.js'
import { parseCidr } from '../../src/util/ip.js'
import { assertGolden } from '../helpers/golden.js'

const config = {
  'ipv4.address': '198.18.40.1/24',
  'ipv6.address': 'fd42:40::1/64',
  'ipv4.dhcp.expiry': '2h',
  'dns.domain': 'corral.test',
}

const input = (extra: Partial<DnsmasqInput> = {}): DnsmasqInput => ({
  bridge: 'crtbr0',
  dir: '/var/lib/corral/networks/crtbr0',
  v4: dnsmasqV4(config)!,
  v6: dnsmasqV6(config)!,
  domain: 'corral.test',
  dnsMode: 'managed',
  dnsSearch: [],
  mtu: 1500,
  user: 'nobody',
  group: 'nogroup',
  ...extra,
})

test("dnsmasq: LXD's flags, no upstream, names only from the hosts file, SLAAC with ra-names (golden)", () => {
  assertGolden(`${dnsmasqArgs(input()).join('\n')}\n`, 'dnsmasq.args.dual')
})

test('dnsmasq: IPv4 only with ranges, gateway, MTU and search domains; dns.mode none disables DNS', () => {
  const v4 = dnsmasqV4({
    'ipv4.address': '198.18.41.1/24',
    'ipv4.dhcp.ranges': '198.18.41.10-198.18.41.20,198.18.41.30-198.18.41.40',
    'ipv4.dhcp.gateway': '198.18.41.254',
  })!
  const rest = input()
  delete rest.v6
  const args = dnsmasqArgs({ ...rest, v4, mtu: 9000, dnsSearch: ['a.test', 'b.test'], dnsMode: 'none' })
  assert.deepEqual(
    args.filter((a, i) => args[i - 1] === '--dhcp-range'),
    ['198.18.41.10,198.18.41.20,1h', '198.18.41.30,198.18.41.40,1h'],
  )
  for (const a of [
    '--dhcp-option-force=3,198.18.41.254',
    '--dhcp-option-force=26,9000',
    '--dhcp-option-force=119,a.test,b.test',
    '--port=0',
  ])
    assert.ok(args.includes(a), a)
  assert.ok(!args.includes('--enable-ra'))
  assert.ok(!args.includes('-s'))
})

test('nftables: input/output/forward/postrouting chains of a bridge (golden), and their removal', () => {
  const script = networkRulesScript({
    table: 'corral',
    bridge: 'crtbr0',
    v4: { dhcpDnsAccess: true, forward: true, natSubnet: '198.18.40.0/24' },
    v6: { dhcpDnsAccess: true, forward: false },
  })
  assertGolden(script, 'nft.network.crtbr0')
  assert.equal(
    networkRemoveScript('corral', 'crtbr0'),
    [
      'add table inet corral',
      ...['in', 'out', 'fwd', 'pstrt'].flatMap((c) => [
        `add chain inet corral ${c}.crtbr0`,
        `delete chain inet corral ${c}.crtbr0`,
      ]),
      '',
    ].join('\n'),
  )
})

test('hosts entries and lease files', () => {
  const line = hostsLine({
    hwaddr: '00:16:3E:AA:BB:CC',
    ipv4: '198.18.40.10',
    ipv6: 'fd42:40::10',
    name: 'c1',
  })
  assert.equal(line, '00:16:3e:aa:bb:cc,198.18.40.10,[fd42:40::10],c1')
  assert.deepEqual(parseHostsLine(line), {
    hwaddr: '00:16:3e:aa:bb:cc',
    ipv4: '198.18.40.10',
    ipv6: 'fd42:40::10',
    name: 'c1',
  })
  assert.equal(hostsLine({ hwaddr: '00:16:3e:aa:bb:cc', name: 'c2' }), '00:16:3e:aa:bb:cc,c2')
  const leases = parseLeases(
    [
      '1764370000 00:16:3e:aa:bb:cc 198.18.40.57 c1 01:00:16:3e:aa:bb:cc',
      '1764370001 00:16:3e:aa:bb:dd 198.18.40.58 * *',
      'duid 00:01:00:01:2c:aa',
      '1764370002 12345 fd42:40::99 c1 00:01',
      'garbage',
    ].join('\n'),
  )
  assert.deepEqual(
    leases.map((l) => [l.family, l.hwaddr, l.address, l.hostname]),
    [
      [4, '00:16:3e:aa:bb:cc', '198.18.40.57', 'c1'],
      [4, '00:16:3e:aa:bb:dd', '198.18.40.58', ''],
      [6, '', 'fd42:40::99', 'c1'],
    ],
  )
})

test('bridge config: cross-key checks and auto subnets', () => {
  const others = [parseCidr('198.18.40.0/24')!]
  const bad: [Record<string, string>, RegExp][] = [
    [{ 'ipv4.address': '198.18.40.7/24' }, /overlaps 198.18.40.0\/24/],
    [{ 'ipv4.address': '198.18.41.0/24' }, /network or broadcast/],
    [
      { 'ipv4.address': '198.18.41.1/24', 'ipv4.dhcp.ranges': '198.18.41.5-198.18.42.9' },
      /outside 198.18.41.0\/24/,
    ],
    [{ 'ipv4.address': '198.18.41.1/24', 'ipv4.dhcp.gateway': '198.18.9.1' }, /outside/],
    [{ 'ipv4.address': 'fd42::1/64' }, /Not an IPv4 address/],
    [{ 'ipv4.address': '198.18.41.1/31' }, /prefix must be \/30 or shorter/],
    [{ 'ipv6.address': 'fd42::1/64', 'ipv6.dhcp.ranges': 'fd42::5' }, /expected first-last/],
    [{ 'bridge.hwaddr': '00:16:3e:zz:00:01' }, /Invalid MAC address/],
    [{ 'dns.mode': 'fancy' }, /Invalid value for option "dns.mode"/],
    [{ 'ipv4.nat.order': 'before' }, /Invalid option "ipv4.nat.order"/],
  ]
  for (const [c, message] of bad)
    assert.throws(() => validateBridgeConfig(c, others), message, JSON.stringify(c))
  validateBridgeConfig({ 'ipv4.address': '198.18.41.1/24', 'ipv6.address': 'none' }, others)
  const values = [10, 20, 10, 21]
  const seq = () => values.shift()!
  const used = [parseCidr('10.10.20.0/24')!]
  assert.equal(pickSubnet(4, used, seq), '10.10.21.1/24')
  assert.match(pickSubnet(6, []), /^fd42:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::1\/64$/)
})

test('nftables: a bridged NIC filter with MAC, IPv4 and IPv6 filtering (golden); none drops a family', () => {
  const script = bridgeFilterScript({
    table: 'corral',
    label: 'c1.eth0',
    hostName: 'vethabc',
    hwaddr: '00:16:3E:60:D8:65',
    ipv4: ['198.18.10.50', '198.18.99.0/24'],
    ipv6: ['fd42:60::216:3eff:fe60:d865', 'fd42:77::/64'],
  })
  assertGolden(script, 'nft.bridge-filter.c1')
  const macOnly = bridgeFilterScript({
    table: 'corral',
    label: 'c1.eth0',
    hostName: 'vethabc',
    hwaddr: '00:16:3e:60:d8:65',
  })
  assert.ok(
    !macOnly.includes('ether type != { arp, ip, ip6 } drop'),
    'MAC filtering alone keeps other ethertypes',
  )
  const noV4 = bridgeFilterScript({
    table: 'corral',
    label: 'c1.eth0',
    hostName: 'vethabc',
    hwaddr: '00:16:3e:60:d8:65',
    ipv4: [],
  })
  assert.ok(!/arp saddr ip .* accept/.test(noV4))
  assert.match(noV4, /ether type ip drop/)
  assert.equal(
    bridgeFilterRemoveScript('corral', 'c1.eth0'),
    'add table bridge corral\nadd chain bridge corral in.c1.eth0\ndelete chain bridge corral in.c1.eth0\nadd chain bridge corral fwd.c1.eth0\ndelete chain bridge corral fwd.c1.eth0\n',
  )
})

test("xtables: a bridged NIC filter (golden) and a bridge's rules tagged with their comment", () => {
  const rules = xtablesNicRules({
    label: 'c1.eth0',
    hostName: 'vethabc',
    hwaddr: '00:16:3E:60:D8:65',
    ipv4: ['198.18.10.50'],
    ipv6: ['fd42:60::216:3eff:fe60:d865', 'fd42:77::/64'],
  })
  assertGolden(`${rules.map((r) => r.join(' ')).join('\n')}\n`, 'xtables.bridge-filter.c1')
  const v4only = xtablesNicRules({
    label: 'c1.eth0',
    hostName: 'vethabc',
    hwaddr: '00:16:3e:60:d8:65',
    ipv4: [],
  })
  assert.ok(v4only.some((r) => r.join(' ') === 'ebtables -t filter -A INPUT -p IPv6 -i vethabc -j ACCEPT'))
  const lines = v4only.map((r) => r.join(' '))
  assert.ok(
    lines.indexOf('ebtables -t filter -A INPUT -i vethabc -j DROP') >
      lines.indexOf('ebtables -t filter -A INPUT -p IPv6 -i vethabc -j ACCEPT'),
    'the final drop comes after the unfiltered family is let through',
  )
  const net = xtablesNetworkRules(
    { bridge: 'crtbr0', v4: { dhcpDnsAccess: true, forward: true, natSubnet: '198.18.40.0/24' } },
    'corral.corral.crtbr0',
  )
  assert.ok(net.every((r) => r.includes('corral.corral.crtbr0')))
  assert.ok(
    net.some(
      (r) =>
        r.join(' ') ===
        'iptables -t nat -A POSTROUTING -s 198.18.40.0/24 ! -d 198.18.40.0/24 -m comment --comment corral.corral.crtbr0 -j MASQUERADE',
    ),
  )
  assert.deepEqual(ruleArgs('-A INPUT -i br0 -m comment --comment "corral.x.br0" -j ACCEPT'), [
    '-A',
    'INPUT',
    '-i',
    'br0',
    '-m',
    'comment',
    '--comment',
    'corral.x.br0',
    '-j',
    'ACCEPT',
  ])
})

test('bridged NIC validation: filtering needs an address on unmanaged bridges; none needs filtering', () => {
  const bad: [Record<string, string>, RegExp][] = [
    [
      { type: 'nic', nictype: 'bridged', parent: 'br0', 'security.ipv4_filtering': 'true' },
      /needs a static "ipv4.address"/,
    ],
    [{ type: 'nic', network: 'n1', 'ipv4.address': 'none' }, /needs "security.ipv4_filtering=true"/],
    [{ type: 'nic', network: 'n1', 'ipv6.address': 'none' }, /needs "security.ipv6_filtering=true"/],
    [
      { type: 'nic', network: 'n1', vlan: '10', 'security.ipv4_filtering': 'true' },
      /Invalid device option "vlan"/,
    ],
    [{ type: 'nic', network: 'n1', parent: 'br0' }, /together with "network"/],
    [{ type: 'nic', nictype: 'routed' }, /needs "ipv4.address" or "ipv6.address"/],
    [{ type: 'nic', nictype: 'macvlan', parent: 'eth0' }, /Unsupported or missing "nictype"/],
  ]
  for (const [config, message] of bad)
    assert.throws(() => validateDevices({ eth0: config }), message, JSON.stringify(config))
  validateDevices({
    eth0: { type: 'nic', network: 'n1', 'ipv4.address': 'none', 'security.ipv4_filtering': 'true' },
    eth1: {
      type: 'nic',
      nictype: 'bridged',
      parent: 'br0',
      'ipv4.address': '198.18.0.5',
      'security.ipv4_filtering': 'true',
    },
  })
})
