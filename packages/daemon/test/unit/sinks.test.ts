/** @module Unit tier: the host sinks refuse what would add a word, a line or a path component, whatever checked it before. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hostsFileName, hostsLine } from '../../src/dnsmasq/hosts.js'
import { bridgeFilterScript } from '../../src/firewall/nftables/nic-filter-rules.js'
import { nftScript } from '../../src/firewall/nftables/script.js'
import { routedFilterScript } from '../../src/firewall/nftables/routed-rules.js'
import { ipBatchText, ipCmd, ipWords } from '../../src/host/ip-command.js'
import { checkInterfaceName, sysctlGet, sysctlSet } from '../../src/host/net.js'
import { tcArgs } from '../../src/host/tc.js'

test('ip -batch: each interpolated value is exactly one checked word', () => {
  assert.equal(
    ipBatchText([ipCmd`link set ${'veth1'} address ${'00:16:3e:00:00:01'}`]),
    'link set veth1 address 00:16:3e:00:00:01\n',
  )
  for (const bad of ['00:16:3e:00:00:01\nlink add evil type bridge', 'a b', 'x;y', '', 'a\tb'])
    assert.throws(() => ipCmd`link set veth1 address ${bad}`, /Refusing .* as an ip command word/)
  assert.throws(() => ipWords(['route', 'add', '10.0.0.0/8 dev eth0']), /Refusing/)
})

test('interface names and sysctl keys cannot climb out of /sys or /proc/sys', () => {
  assert.equal(checkInterfaceName('veth0a1b2c3d'), 'veth0a1b2c3d')
  for (const bad of ['..', '.', 'all', 'default', 'a/b', '../../etc', 'x'.repeat(16), 'e th0', 'eth0\n'])
    assert.throws(() => checkInterfaceName(bad), /Refusing/)
  assert.throws(() => sysctlGet('net/ipv6/conf/../../../kernel/core_pattern'), /Refusing sysctl key/)
  assert.throws(() => sysctlSet('net/ipv4/ip_forward', '1\n2'), /Refusing sysctl value/)
})

test('nft scripts: names, MACs and interfaces are checked, and no control character passes', () => {
  const base = { table: 'corral_1234abcd', label: 'c1.eth0', hostName: 'veth1', hwaddr: '00:16:3e:00:00:01' }
  assert.match(bridgeFilterScript(base), /iifname "veth1"/)
  for (const bad of [
    { label: 'c1.eth0;flush' },
    { hostName: 'veth1"' },
    { hwaddr: '00:16:3e:00:00:01 accept' },
    { table: 't }' },
  ])
    assert.throws(() => bridgeFilterScript({ ...base, ...bad }), /Refusing .* as a firewall/)
  assert.throws(() => routedFilterScript('corral_1', 'veth1\nflush ruleset'), /Refusing/)
  assert.throws(() => nftScript(['add table inet x', 'flush ruleset\r']), /Refusing/)
})

test('dnsmasq hosts entries and their file names', () => {
  assert.equal(
    hostsLine({ hwaddr: '00:16:3E:00:00:01', ipv4: '198.18.0.5', name: 'c1' }),
    '00:16:3e:00:00:01,198.18.0.5,c1',
  )
  assert.throws(() => hostsLine({ hwaddr: '00:16:3e:00:00:01\ndhcp-script=/x', name: 'c1' }), /dnsmasq MAC/)
  assert.throws(() => hostsLine({ hwaddr: '00:16:3e:00:00:01', name: 'c1,set:x' }), /dnsmasq host name/)
  assert.throws(
    () => hostsLine({ hwaddr: '00:16:3e:00:00:01', ipv4: '198.18.0.5,ignore', name: 'c1' }),
    /IPv4/,
  )
  assert.throws(() => hostsFileName('default', 'c1', '../../etc/cron.d/x'), /hosts file name/)
})

test('tc arguments: one word each; a spaced rate is joined', () => {
  assert.deepEqual(tcArgs(['class', 'add', 'rate', '10 Mbit']), ['class', 'add', 'rate', '10Mbit'])
  assert.throws(() => tcArgs(['qdisc', 'add', 'dev', 'veth1 root']), /Refusing/)
})
