/** @module The routed NIC: a veth pair whose addresses the host routes to it, with link-local gateways. */
import { badRequest } from '@corral/api'
import { defineKeys } from '../config/key.js'
import { isOneOf, type Validator } from '../config/validate.js'
import { ipBatch, ipCmd, linkExists, sysctlGet, sysctlSet } from '../host/net.js'
import type { DeviceDriver } from './device.js'
import { deviceKeyMessages } from './messages.js'
import { applyLimits, createVeth, prepareNic, runNic } from './nic-common.js'
import { commonNicKeys, isAddress, isAddressList, isInterfaceName } from './nic-keys.js'

const isGateway: Validator = isOneOf('auto', 'none')

/** The keys a routed NIC accepts. */
const keys = defineKeys(
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
)

/** The addresses of the family, as listed. */
const addresses = (config: Record<string, string>, family: 4 | 6): string[] =>
  (config[`ipv${family}.address`] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)

/** LXD's `nic` device with `nictype: routed`. */
export const nicRouted: DeviceDriver = {
  match: { type: 'nic', subtype: 'routed' },
  keys,
  hotplug: true,
  validate(config) {
    if (!config['ipv4.address'] && !config['ipv6.address'])
      throw badRequest('A routed NIC needs "ipv4.address" or "ipv6.address"')
  },
  interfaceName: (device, config) => config.name || device,
  // The host is the router: a veth whose host end holds the gateway addresses, a route per
  // instance address, proxy ARP/NDP on the parent, and a reverse-path filter on the veth.
  async start(ctx) {
    const { config } = ctx
    const parent = config.parent
    if (parent && !linkExists(parent)) throw new Error(`Parent device "${parent}" doesn't exist`)
    const v4 = addresses(config, 4)
    const v6 = addresses(config, 6)
    // LXD's pre-checks: the parent must forward (and, for IPv6, answer NDP by proxy).
    const need = (key: string) => {
      if (sysctlGet(key) !== '1') throw new Error(`Routed mode requires sysctl ${key.replace(/\//g, '.')}=1`)
    }
    if (parent && v4.length) need(`net/ipv4/conf/${parent}/forwarding`)
    if (parent && v6.length) {
      need(`net/ipv6/conf/${parent}/forwarding`)
      need(`net/ipv6/conf/${parent}/proxy_ndp`)
    }
    const hostV4 = keys.get(config, 'ipv4.host_address')
    const hostV6 = keys.get(config, 'ipv6.host_address')
    const nic = prepareNic(ctx, parent ? { mtuOf: parent } : {})
    await createVeth(ctx, nic)
    sysctlSet(`net/ipv6/conf/${nic.hostName}/accept_ra`, '0')
    sysctlSet(`net/ipv4/conf/${nic.hostName}/rp_filter`, '1')
    if (v4.length) sysctlSet(`net/ipv4/conf/${nic.hostName}/forwarding`, '1')
    if (v6.length) {
      sysctlSet(`net/ipv6/conf/${nic.hostName}/disable_ipv6`, '0')
      sysctlSet(`net/ipv6/conf/${nic.hostName}/forwarding`, '1')
    }
    const routes = (family: 4 | 6) => (config[`ipv${family}.routes`] ?? '').split(',').filter(Boolean)
    await ipBatch(ctx.state.host, [
      ipCmd`link set ${nic.hostName} up`,
      ...(v4.length ? [ipCmd`addr add ${`${hostV4}/32`} dev ${nic.hostName}`] : []),
      ...(v6.length ? [ipCmd`addr add ${`${hostV6}/128`} dev ${nic.hostName}`] : []),
      ...v4.map((a) => ipCmd`route add ${`${a}/32`} dev ${nic.hostName}`),
      ...v6.map((a) => ipCmd`route add ${`${a}/128`} dev ${nic.hostName}`),
      ...[...routes(4), ...routes(6)].map((r) => ipCmd`route add ${r.trim()} dev ${nic.hostName}`),
    ])
    await applyLimits(ctx, nic)
    // replace, not add: an entry another start left behind is taken over, and undone at stop.
    for (const address of parent ? [...v4, ...v6] : [])
      await ctx.record.apply({ kind: 'proxy-neigh', device: ctx.device, address, dev: parent! }, () =>
        ipBatch(ctx.state.host, [ipCmd`neigh replace proxy ${address} dev ${parent!}`]),
      )
    await ctx.record.apply({ kind: 'routed-filter', device: ctx.device, hostName: nic.hostName }, () =>
      ctx.state.firewall.routedApply(nic.hostName),
    )
    return {
      nic: runNic(nic, {
        ipv4: v4.map((a) => `${a}/32`),
        ipv6: v6.map((a) => `${a}/128`),
        ...(v4.length && config['ipv4.gateway'] !== 'none' ? { gateway4: hostV4 } : {}),
        ...(v6.length && config['ipv6.gateway'] !== 'none' ? { gateway6: hostV6 } : {}),
      }),
    }
  },
}
