/** @module A bridge's config read into what setup needs: subnets, DHCP ranges, DNS; and its cross-key checks. */
import { randomInt } from 'node:crypto'
import { badRequest } from '@corral/api'
import { isTrue } from '../config/validate.js'
import type { DnsmasqV4, DnsmasqV6 } from '../dnsmasq/args.js'
import {
  contains,
  formatIp,
  formatSubnet,
  lastOf,
  networkOf,
  overlaps,
  parseCidr,
  parseIp,
  type Cidr,
  type Family,
} from '../util/ip.js'
import { bridgeKeys } from './bridge-keys.js'

/** A family's bridge address and subnet. */
export interface BridgeSubnet {
  cidr: Cidr
  /** The bridge's own address, text. */
  address: string
  /** The subnet, text (`198.18.0.0/24`). */
  subnet: string
}

/** Reads `ipvN.address`: undefined for none/unset, the subnet otherwise (auto must be resolved first). */
export function bridgeSubnet(config: Record<string, string>, family: Family): BridgeSubnet | undefined {
  const value = config[`ipv${family}.address`] ?? ''
  if (value === '' || value === 'none' || value === 'auto') return undefined
  const cidr = parseCidr(value)!
  return { cidr, address: formatIp(family, cidr.address), subnet: formatSubnet(cidr) }
}

/** The DHCPv4 ranges: configured, else the whole subnet from .2 to the last address before broadcast. */
function v4Ranges(config: Record<string, string>, s: BridgeSubnet): [string, string][] {
  const ranges = config['ipv4.dhcp.ranges']
  if (ranges) return ranges.split(',').map((r) => r.trim().split('-') as [string, string])
  return [[formatIp(4, networkOf(s.cidr) + 2n), formatIp(4, lastOf(s.cidr) - 1n)]]
}

/** What dnsmasq serves for IPv4, from the config. */
export function dnsmasqV4(config: Record<string, string>): DnsmasqV4 | undefined {
  const s = bridgeSubnet(config, 4)
  if (!s) return undefined
  const gateway = config['ipv4.dhcp.gateway']
  return {
    address: s.address,
    dhcp: isTrue(bridgeKeys.get(config, 'ipv4.dhcp')),
    ranges: v4Ranges(config, s),
    expiry: bridgeKeys.get(config, 'ipv4.dhcp.expiry'),
    ...(gateway ? { gateway } : {}),
  }
}

/** What dnsmasq serves for IPv6, from the config. */
export function dnsmasqV6(config: Record<string, string>): DnsmasqV6 | undefined {
  const s = bridgeSubnet(config, 6)
  if (!s) return undefined
  const ranges = config['ipv6.dhcp.ranges']
  return {
    address: s.address,
    prefix: s.cidr.prefix,
    dhcp: isTrue(bridgeKeys.get(config, 'ipv6.dhcp')),
    stateful: isTrue(config['ipv6.dhcp.stateful']),
    ranges: ranges ? ranges.split(',').map((r) => r.trim().split('-') as [string, string]) : [],
    expiry: bridgeKeys.get(config, 'ipv6.dhcp.expiry'),
  }
}

/** A valid Linux interface name for a managed network. */
export function validateNetworkName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(name))
    throw badRequest(`Invalid network name "${name}": use up to 15 letters, digits, "-", "_" or "."`)
}

/**
 * Validates a bridge config: each key, then what spans keys: DHCP ranges and gateway inside the
 * subnet, and no overlap with `others` (other networks' and the host's subnets).
 */
export function validateBridgeConfig(config: Record<string, string>, others: readonly Cidr[]): void {
  bridgeKeys.validate(config)
  for (const family of [4, 6] as const) {
    const s = bridgeSubnet(config, family)
    if (!s) continue
    if (s.cidr.address === networkOf(s.cidr) || (family === 4 && s.cidr.address === lastOf(s.cidr)))
      throw badRequest(
        `Invalid value for option "ipv${family}.address": the network or broadcast address is not a host address`,
      )
    const clash = others.find((o) => overlaps(o, s.cidr))
    if (clash)
      throw badRequest(
        `Invalid value for option "ipv${family}.address": subnet ${s.subnet} overlaps ${formatSubnet(clash)}, already in use`,
      )
    const ranges = config[`ipv${family}.dhcp.ranges`]
    for (const range of ranges ? ranges.split(',') : []) {
      for (const end of range.trim().split('-')) {
        if (!contains(s.cidr, parseIp(end)!))
          throw badRequest(
            `Invalid value for option "ipv${family}.dhcp.ranges": ${end} is outside ${s.subnet}`,
          )
      }
    }
  }
  const gw = config['ipv4.dhcp.gateway']
  const v4 = bridgeSubnet(config, 4)
  if (gw && v4 && !contains(v4.cidr, parseIp(gw)!))
    throw badRequest(`Invalid value for option "ipv4.dhcp.gateway": ${gw} is outside ${v4.subnet}`)
}

/** Picks a free subnet for `auto` as LXD does: a random 10.x.y.1/24 or fd42:xxxx:xxxx:xxxx::1/64. */
export function pickSubnet(family: Family, used: readonly Cidr[], random = randomInt): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    const text =
      family === 4
        ? `10.${random(0, 256)}.${random(0, 256)}.1/24`
        : `fd42:${[0, 0, 0].map(() => random(0, 0x10000).toString(16)).join(':')}::1/64`
    const cidr = parseCidr(text)!
    if (!used.some((u) => overlaps(u, cidr))) return text
  }
  throw badRequest(`Failed to automatically find an unused IPv${family} subnet, please set one manually`)
}
