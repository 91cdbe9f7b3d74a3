/** @module Managed bridge keys, declared once (validation, docs/config.md). */
import { defineKeys } from '../config/key.js'
import { isInRange, isOneOf, optional, type Validator } from '../config/validate.js'
import { parseCidr, parseIp, type Family } from '../util/ip.js'

/** `auto`, `none`, or an address with its prefix in the family (the bridge's own address). */
const isBridgeAddress =
  (family: Family): Validator =>
  (value) => {
    if (value === 'auto' || value === 'none') return
    const c = parseCidr(value)
    if (!c || c.family !== family)
      throw new Error(
        `Not an IPv${family} address with a prefix (e.g. ${family === 4 ? '198.18.0.1/24' : 'fd42::1/64'})`,
      )
    const max = family === 4 ? 30 : 126
    if (c.prefix > max) throw new Error(`The prefix must be /${max} or shorter to leave room for instances`)
  }

/** A comma-separated list of `first-last` address ranges in the family. */
const isRangeList =
  (family: Family): Validator =>
  (value) => {
    for (const range of value.split(',').map((r) => r.trim())) {
      const [a = '', b = '', extra] = range.split('-')
      const first = parseIp(a)
      const last = parseIp(b)
      if (extra !== undefined || !first || !last || first.family !== family || last.family !== family)
        throw new Error(`Invalid IPv${family} range "${range}" (expected first-last)`)
      if (first.value > last.value)
        throw new Error(`Invalid IPv${family} range "${range}" (first after last)`)
    }
  }

/** A comma-separated list of subnets in the family. */
const isSubnetList =
  (family: Family): Validator =>
  (value) => {
    for (const s of value.split(',').map((r) => r.trim())) {
      const c = parseCidr(s)
      if (!c || c.family !== family) throw new Error(`Invalid IPv${family} subnet "${s}"`)
    }
  }

const isDhcpExpiry: Validator = (value) => {
  if (value !== 'infinite' && !/^\d+[smhdw]?$/.test(value))
    throw new Error('Expected a lease time such as 1h, 30m or infinite')
}

const isDnsDomain: Validator = (value) => {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(value))
    throw new Error('Invalid domain name')
}

/** A MAC address as `aa:bb:cc:dd:ee:ff`. */
export const isMacAddress: Validator = (value) => {
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(value)) throw new Error(`Invalid MAC address "${value}"`)
}

/** Every key a managed bridge accepts. */
export const bridgeKeys = defineKeys(
  'network-bridge',
  {
    'user.*': { type: 'string', short: 'Free-form user key' },
    'bridge.driver': {
      type: 'string',
      default: 'native',
      validate: isOneOf('native'),
      short: 'Bridge driver (only the native Linux bridge)',
    },
    'bridge.hwaddr': { type: 'string', validate: isMacAddress, short: 'MAC address of the bridge' },
    'bridge.mtu': {
      type: 'integer',
      default: '1500',
      validate: isInRange(1280, 65535),
      short: 'MTU of the bridge',
    },
    'dns.domain': {
      type: 'string',
      default: 'lxd',
      validate: isDnsDomain,
      short: "Domain the bridge's DNS answers for: `<instance>.<dns.domain>`",
    },
    'dns.mode': {
      type: 'string',
      default: 'managed',
      validate: isOneOf('managed', 'dynamic', 'none'),
      short:
        'DNS registration: `managed` (names from instance names only), `dynamic` (also DHCP client names) or `none`',
    },
    'dns.search': { type: 'string', short: 'Comma-separated search domains handed out by DHCP' },
    'ipv4.address': {
      type: 'string',
      validate: isBridgeAddress(4),
      short: 'IPv4 address of the bridge with its prefix (`auto` picks a free subnet, `none` disables IPv4)',
    },
    'ipv4.dhcp': { type: 'bool', default: 'true', short: 'Whether to hand out IPv4 addresses by DHCP' },
    'ipv4.dhcp.expiry': {
      type: 'string',
      default: '1h',
      validate: isDhcpExpiry,
      short: 'DHCPv4 lease time',
    },
    'ipv4.dhcp.gateway': {
      type: 'string',
      validate: optional((v) => {
        if (parseIp(v)?.family !== 4) throw new Error('Not an IPv4 address')
      }),
      short: 'Gateway handed out by DHCP (the bridge address by default)',
    },
    'ipv4.dhcp.ranges': {
      type: 'string',
      validate: isRangeList(4),
      short: 'Comma-separated DHCPv4 ranges (`first-last`); the whole subnet by default',
    },
    'ipv4.firewall': {
      type: 'bool',
      default: 'true',
      short: "Whether to add firewall rules letting instances reach the bridge's DNS and DHCP",
    },
    'ipv4.nat': {
      type: 'bool',
      default: 'false',
      short: 'Whether to masquerade IPv4 traffic leaving through the host',
    },
    'ipv4.routes': {
      type: 'string',
      validate: isSubnetList(4),
      short: 'Extra IPv4 subnets routed to the bridge',
    },
    'ipv4.routing': {
      type: 'bool',
      default: 'true',
      short: 'Whether to route IPv4 in and out of the bridge',
      long: "Sets the host's `net.ipv4.ip_forward` to 1, as LXD does.",
    },
    'ipv6.address': {
      type: 'string',
      validate: isBridgeAddress(6),
      short: 'IPv6 address of the bridge with its prefix (`auto` picks a free ULA /64, `none` disables IPv6)',
    },
    'ipv6.dhcp': {
      type: 'bool',
      default: 'true',
      short: 'Whether to answer DHCPv6 (stateless DNS information, or addresses with `ipv6.dhcp.stateful`)',
    },
    'ipv6.dhcp.expiry': {
      type: 'string',
      default: '1h',
      validate: isDhcpExpiry,
      short: 'DHCPv6 lease time',
    },
    'ipv6.dhcp.ranges': {
      type: 'string',
      validate: isRangeList(6),
      short: 'Comma-separated DHCPv6 ranges for stateful DHCPv6',
    },
    'ipv6.dhcp.stateful': {
      type: 'bool',
      default: 'false',
      short: 'Whether to hand out IPv6 addresses by DHCPv6 (else SLAAC from router advertisements)',
    },
    'ipv6.firewall': {
      type: 'bool',
      default: 'true',
      short: "Whether to add firewall rules letting instances reach the bridge's DNS and DHCPv6",
    },
    'ipv6.nat': {
      type: 'bool',
      default: 'false',
      short: 'Whether to masquerade IPv6 traffic leaving through the host',
    },
    'ipv6.routes': {
      type: 'string',
      validate: isSubnetList(6),
      short: 'Extra IPv6 subnets routed to the bridge',
    },
    'ipv6.routing': {
      type: 'bool',
      default: 'true',
      short: 'Whether to route IPv6 in and out of the bridge',
      long: "As LXD: sets IPv6 forwarding on every host interface, and first `accept_ra` to 2 on those that accepted router advertisements, so the host keeps its own IPv6 routes. Set to false to leave the host's IPv6 sysctls alone.",
    },
    'raw.dnsmasq': {
      type: 'string',
      short: "Extra lines for the bridge's dnsmasq configuration",
      long: 'Passed to dnsmasq as a configuration file; anything dnsmasq accepts, including upstream servers.',
    },
  },
  {
    unknown: (key) => `Invalid option "${key}"`,
    invalid: (key, _value, reason) => `Invalid value for option "${key}": ${reason}`,
  },
)
