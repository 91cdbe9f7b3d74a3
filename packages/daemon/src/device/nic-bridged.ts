/** @module The bridged NIC: a veth pair with its host end on a bridge (a managed network or a host bridge). */
import { badRequest } from '@corral/api'
import { defineKeys } from '../config/key.js'
import { isTrue, type Validator } from '../config/validate.js'
import type { DeviceDriver } from './device.js'
import { deviceKeyMessages } from './messages.js'
import { commonNicKeys, isAddress, isInterfaceName } from './nic-keys.js'

/** `none`, or what `inner` accepts. */
const orNone =
  (inner: Validator): Validator =>
  (value) => {
    if (value !== 'none') inner(value)
  }

/** LXD's `nic` device with `nictype: bridged` (also what `network: <managed bridge>` resolves to). */
export const nicBridged: DeviceDriver = {
  match: { type: 'nic', subtype: 'bridged' },
  keys: defineKeys(
    'devices',
    {
      ...commonNicKeys,
      nictype: { type: 'string', short: 'NIC type (`bridged`, or unset with `network`)' },
      network: { type: 'string', short: 'Managed network to join (instead of nictype and parent)' },
      parent: { type: 'string', validate: isInterfaceName, short: 'Host bridge to join' },
      'ipv4.address': {
        type: 'string',
        validate: orNone(isAddress(4)),
        short:
          "Static IPv4 address handed out by the network's DHCP (`none` with IPv4 filtering: no IPv4 at all)",
      },
      'ipv6.address': {
        type: 'string',
        validate: orNone(isAddress(6)),
        short:
          "Static IPv6 address handed out by the network's DHCPv6 (`none` with IPv6 filtering: no IPv6 at all)",
      },
      'security.mac_filtering': {
        type: 'bool',
        default: 'false',
        short: 'Drop frames from the instance with another source MAC',
      },
      'security.ipv4_filtering': {
        type: 'bool',
        default: 'false',
        short: 'Drop IPv4 and ARP from the instance with another source address (implies MAC filtering)',
      },
      'security.ipv6_filtering': {
        type: 'bool',
        default: 'false',
        short:
          'Drop IPv6 and neighbour advertisements with another source address, and router advertisements (implies MAC filtering)',
      },
      'security.port_isolation': {
        type: 'bool',
        default: 'false',
        short: 'Keep the instance from talking to other isolated ports of the bridge',
      },
    },
    deviceKeyMessages,
  ),
  validate(config) {
    if (config.network && (config.nictype || config.parent))
      throw badRequest('Cannot use "nictype" or "parent" together with "network"')
    if (!config.network && !config.parent) throw badRequest('Missing "network" or "parent"')
    for (const family of [4, 6]) {
      const filtering = isTrue(config[`security.ipv${family}_filtering`])
      const address = config[`ipv${family}.address`]
      if (address === 'none' && !filtering)
        throw badRequest(`"ipv${family}.address=none" needs "security.ipv${family}_filtering=true"`)
      // On a bridge we do not manage there is no DHCP to learn the address from.
      if (filtering && !config.network && !address)
        throw badRequest(
          `IPv${family} filtering on an unmanaged bridge needs a static "ipv${family}.address"`,
        )
    }
  },
}
