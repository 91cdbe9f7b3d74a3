/** @module Unit tier: listen addresses expand like LXD's (wildcards to global unicast addresses). */
import assert from 'node:assert/strict'
import type { NetworkInterfaceInfo } from 'node:os'
import { test } from 'node:test'
import { listenAddresses } from '../../src/endpoints/listen-addresses.js'

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false) =>
  ({
    address,
    family,
    internal,
    netmask: '',
    mac: '',
    cidr: null,
    ...(family === 'IPv6' ? { scopeid: 0 } : {}),
  }) as NetworkInterfaceInfo

const host = {
  lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
  eth0: [iface('198.18.0.10', 'IPv4'), iface('fe80::1', 'IPv6'), iface('fd42::10', 'IPv6')],
  br0: [iface('169.254.3.4', 'IPv4'), iface('2001:db8::5', 'IPv6')],
}

test('a concrete address is listed as host:port with the default port filled in', () => {
  assert.deepEqual(listenAddresses('127.0.0.1', host), ['127.0.0.1:8443'])
  assert.deepEqual(listenAddresses('127.0.0.1:9443', host), ['127.0.0.1:9443'])
  assert.deepEqual(listenAddresses('[::1]:9443', host), ['[::1]:9443'])
  assert.deepEqual(listenAddresses('', host), [])
})

test('wildcards expand to global unicast addresses; 0.0.0.0 to IPv4 only', () => {
  const all = ['198.18.0.10:8443', '[fd42::10]:8443', '[2001:db8::5]:8443']
  assert.deepEqual(listenAddresses(':8443', host), all)
  assert.deepEqual(listenAddresses('[::]:8443', host), all)
  assert.deepEqual(listenAddresses('0.0.0.0:8443', host), ['198.18.0.10:8443'])
})
