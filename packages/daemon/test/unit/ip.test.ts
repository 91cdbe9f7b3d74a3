/** @module Unit tier: IP and subnet arithmetic. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { contains, formatIp, formatSubnet, lastOf, overlaps, parseCidr, parseIp } from '../../src/util/ip.js'

const cidr = (t: string) => parseCidr(t)!
const ip = (t: string) => parseIp(t)!

test('addresses round-trip through numbers, IPv6 in its shortest form', () => {
  for (const t of [
    '198.18.0.1',
    '0.0.0.0',
    '255.255.255.255',
    'fd42::1',
    '2001:db8:0:1::',
    '::',
    '::1',
    'fe80::216:3eff:fe00:1',
  ])
    assert.equal(formatIp(ip(t).family, ip(t).value), t)
  assert.equal(formatIp(6, ip('2001:0db8:0000:0000:0001:0000:0000:0001').value), '2001:db8::1:0:0:1')
  assert.equal(formatIp(6, ip('::ffff:198.18.0.1').value), '::ffff:c612:1')
  for (const bad of ['198.18.0', '198.18.0.256', 'fd42:::1', 'x', '', 'fe80::1%eth0'])
    assert.equal(parseIp(bad), undefined, bad)
})

test('subnets: parse, network and last address, containment, overlap', () => {
  const a = cidr('198.18.5.1/24')
  assert.equal(formatSubnet(a), '198.18.5.0/24')
  assert.equal(formatIp(4, lastOf(a)), '198.18.5.255')
  assert.ok(contains(a, ip('198.18.5.200')))
  assert.ok(!contains(a, ip('198.18.6.1')))
  assert.ok(!contains(a, ip('fd42::1')))
  assert.ok(overlaps(a, cidr('198.18.0.0/16')))
  assert.ok(!overlaps(a, cidr('198.18.6.0/24')))
  assert.ok(overlaps(cidr('fd42:1::1/64'), cidr('fd42:1::/48')))
  assert.ok(!overlaps(cidr('fd42:1::1/64'), cidr('fd42:2::1/64')))
  for (const bad of ['198.18.0.1', '198.18.0.1/33', 'fd42::1/129', '198.18.0.1/x'])
    assert.equal(parseCidr(bad), undefined)
})
