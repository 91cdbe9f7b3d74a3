/** @module The bridged NIC: a veth pair with its host end on a bridge (a managed network or a host bridge). */
import { badRequest } from '@corral/api'
import { defineKeys } from '../config/key.js'
import type { DeviceDriver } from './device.js'
import { deviceKeyMessages } from './messages.js'
import { commonNicKeys, isAddress, isInterfaceName } from './nic-keys.js'

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
        validate: isAddress(4),
        short: "Static IPv4 address handed out by the network's DHCP",
      },
      'ipv6.address': {
        type: 'string',
        validate: isAddress(6),
        short: "Static IPv6 address handed out by the network's DHCPv6",
      },
    },
    deviceKeyMessages,
  ),
  validate(config) {
    if (config.network && (config.nictype || config.parent))
      throw badRequest('Cannot use "nictype" or "parent" together with "network"')
    if (!config.network && !config.parent) throw badRequest('Missing "network" or "parent"')
  },
}
