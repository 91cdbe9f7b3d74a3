/** @module The routed NIC: a veth pair whose addresses the host routes to it, with link-local gateways. */
import { badRequest } from '@corral/api'
import { defineKeys } from '../config/key.js'
import { isOneOf, type Validator } from '../config/validate.js'
import type { DeviceDriver } from './device.js'
import { deviceKeyMessages } from './messages.js'
import { commonNicKeys, isAddress, isAddressList, isInterfaceName } from './nic-keys.js'

const isGateway: Validator = isOneOf('auto', 'none')

/** LXD's `nic` device with `nictype: routed`. */
export const nicRouted: DeviceDriver = {
  match: { type: 'nic', subtype: 'routed' },
  keys: defineKeys(
    'devices',
    {
      ...commonNicKeys,
      nictype: { type: 'string', short: 'NIC type: `routed`' },
      parent: {
        type: 'string',
        validate: isInterfaceName,
        short: 'Host interface to answer ARP/NDP on for the addresses (proxy ARP/NDP)',
      },
      'ipv4.address': {
        type: 'string',
        validate: isAddressList(4),
        short: 'Comma-separated IPv4 addresses routed to the instance',
      },
      'ipv6.address': {
        type: 'string',
        validate: isAddressList(6),
        short: 'Comma-separated IPv6 addresses routed to the instance',
      },
      'ipv4.gateway': {
        type: 'string',
        default: 'auto',
        validate: isGateway,
        short: 'Whether to add a default route via the host address (`auto` or `none`)',
      },
      'ipv6.gateway': {
        type: 'string',
        default: 'auto',
        validate: isGateway,
        short: 'Whether to add a default route via the host address (`auto` or `none`)',
      },
      'ipv4.host_address': {
        type: 'string',
        default: '169.254.0.1',
        validate: isAddress(4),
        short: "IPv4 address of the host end (the instance's gateway)",
      },
      'ipv6.host_address': {
        type: 'string',
        default: 'fe80::1',
        validate: isAddress(6),
        short: "IPv6 address of the host end (the instance's gateway)",
      },
    },
    deviceKeyMessages,
  ),
  validate(config) {
    if (!config['ipv4.address'] && !config['ipv6.address'])
      throw badRequest('A routed NIC needs "ipv4.address" or "ipv6.address"')
  },
}
