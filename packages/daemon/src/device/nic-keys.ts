/** @module NIC keys shared by the NIC drivers (LXD's nicValidationRules), declared once. */
import type { KeyDef } from '../config/key.js'
import { isInRange, type Validator } from '../config/validate.js'
import { isMacAddress } from '../network/bridge-keys.js'
import { parseCidr, parseIp, type Family } from '../util/ip.js'

/** An interface name as Linux accepts it (15 bytes, no `/`, space or `:`). */
export const isInterfaceName: Validator = (value) => {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(value)) throw new Error(`Invalid interface name "${value}"`)
}

/** One address of the family. */
export const isAddress =
  (family: Family): Validator =>
  (value) => {
    if (parseIp(value)?.family !== family) throw new Error(`Not an IPv${family} address`)
  }

/** A comma-separated list of addresses of the family. */
export const isAddressList =
  (family: Family): Validator =>
  (value) => {
    for (const a of value.split(',').map((x) => x.trim())) isAddress(family)(a)
  }

/** A comma-separated list of subnets of the family. */
export const isSubnetList =
  (family: Family): Validator =>
  (value) => {
    for (const s of value.split(',').map((x) => x.trim()))
      if (parseCidr(s)?.family !== family) throw new Error(`Invalid IPv${family} subnet "${s}"`)
  }

/** A bit rate such as `10Mbit` or `1Gbit`. */
export const isBitRate: Validator = (value) => {
  if (!/^\d+(\.\d+)?\s*(bit|kbit|Mbit|Gbit|Tbit)$/.test(value))
    throw new Error('Expected a rate such as 100Mbit')
}

/** The keys every NIC type accepts. */
export const commonNicKeys: Record<string, KeyDef> = {
  name: {
    type: 'string',
    validate: isInterfaceName,
    short: 'Interface name inside the instance (the device name by default)',
  },
  hwaddr: {
    type: 'string',
    validate: isMacAddress,
    short: 'MAC address (generated under 00:16:3e and kept in volatile.<device>.hwaddr when unset)',
  },
  host_name: {
    type: 'string',
    validate: isInterfaceName,
    short: 'Name of the host-side interface (generated when unset)',
  },
  mtu: { type: 'integer', validate: isInRange(1280, 65535), short: 'MTU of the interface' },
  'boot.priority': {
    type: 'integer',
    validate: isInRange(0, 1_000_000),
    short: 'Boot order (unused by containers)',
  },
  'limits.ingress': { type: 'string', validate: isBitRate, short: 'Inbound bandwidth limit (e.g. 100Mbit)' },
  'limits.egress': { type: 'string', validate: isBitRate, short: 'Outbound bandwidth limit (e.g. 100Mbit)' },
  'limits.max': { type: 'string', validate: isBitRate, short: 'Both bandwidth limits at once' },
  'ipv4.routes': { type: 'string', validate: isSubnetList(4), short: 'IPv4 subnets routed to the instance' },
  'ipv6.routes': { type: 'string', validate: isSubnetList(6), short: 'IPv6 subnets routed to the instance' },
}
