/** @module The bridged NIC: a veth pair with its host end on a bridge (a managed network or a host bridge). */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { badRequest } from '@corral/api'
import { defineKeys } from '../config/key.js'
import { isTrue, type Validator } from '../config/validate.js'
import { findNetwork } from '../db/networks.js'
import { dnsmasqFiles } from '../dnsmasq/args.js'
import { dnsName, hostsFileName, hostsLine } from '../dnsmasq/hosts.js'
import { ipBatch, ipCmd, ipWords, linkExists, sysctlSet } from '../host/net.js'
import { bridgeSubnet } from '../network/bridge-config.js'
import { bridgeKeys } from '../network/bridge-keys.js'
import { networkDir } from '../network/bridge.js'
import { contains, formatIp, lastOf, networkOf, parseIp, type Family } from '../util/ip.js'
import type { DeviceContext, DeviceDriver, ValidateContext } from './device.js'
import { deviceKeyMessages } from './messages.js'
import { allowedAddresses, applyNicFilter, filterLabel } from './nic-bridged-filter.js'
import { applyLimits, createVeth, nicIdentity, prepareNic, runNic } from './nic-common.js'
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
        liveUpdate: true,
        short: 'Drop frames from the instance with another source MAC',
      },
      'security.ipv4_filtering': {
        type: 'bool',
        default: 'false',
        liveUpdate: true,
        short: 'Drop IPv4 and ARP from the instance with another source address (implies MAC filtering)',
      },
      'security.ipv6_filtering': {
        type: 'bool',
        default: 'false',
        liveUpdate: true,
        short:
          'Drop IPv6 and neighbour advertisements with another source address, and router advertisements (implies MAC filtering)',
      },
      'security.port_isolation': {
        type: 'bool',
        default: 'false',
        liveUpdate: true,
        short: 'Keep the instance from talking to other isolated ports of the bridge',
      },
    },
    deviceKeyMessages,
  ),
  hotplug: true,
  validate(config, ctx) {
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
    if (ctx && config.network) checkOnNetwork(config, ctx)
  },
  usesNetwork: (config) => bridgeOf(config),
  interfaceName: (device, config) => config.name || device,
  async start(ctx) {
    const bridge = bridgeOf(ctx.config)
    if (!linkExists(bridge)) throw new Error(`Parent device "${bridge}" doesn't exist`)
    const managed = ctx.config.network ? findNetwork(ctx.state.db, ctx.config.network) : undefined
    const nic = prepareNic(ctx, { mtu: managed?.config['bridge.mtu'] ?? '', mtuOf: bridge })
    await createVeth(ctx, nic)
    // The host end carries only the instance's frames: no IPv6 of its own, no router advertisements taken.
    sysctlSet(`net/ipv6/conf/${nic.hostName}/accept_ra`, '0')
    sysctlSet(`net/ipv6/conf/${nic.hostName}/disable_ipv6`, '1')
    await ipBatch(ctx.state.host, [ipCmd`link set ${nic.hostName} master ${bridge} up`])
    await applyLimits(ctx, nic)
    for (const route of bridgeRoutes(ctx.config, bridge))
      await ctx.record.apply({ kind: 'route', device: ctx.device, route }, () =>
        ipBatch(ctx.state.host, [ipWords(['route', 'add', ...route])]),
      )
    if (isTrue(ctx.config['security.port_isolation']))
      await ipBatch(ctx.state.host, [ipCmd`link set dev ${nic.hostName} type bridge_slave isolated on`])
    await filterNic(ctx, nic.hostName, nic.hwaddr)
    return { nic: runNic(nic) }
  },
  // `config device override ... security.*`: the filter, port isolation and the pinned lease follow at once.
  async update(ctx) {
    const { hostName, hwaddr } = nicIdentity(ctx.inst, ctx.device, ctx.config)
    if (!linkExists(hostName)) throw new Error(`The NIC "${ctx.device}" is not plugged in`)
    const isolated = isTrue(ctx.config['security.port_isolation']) ? 'on' : 'off'
    await ipBatch(ctx.state.host, [ipCmd`link set dev ${hostName} type bridge_slave isolated ${isolated}`])
    await filterNic(ctx, hostName, hwaddr)
  },
  remove: (ctx) => writeHostsEntry(ctx, undefined),
}

/** The bridge a bridged NIC joins. */
const bridgeOf = (config: Record<string, string>) => config.network || config.parent || ''

/** `ipvN.routes` of a bridged NIC go to the bridge via its static address (`ip route` words). */
function bridgeRoutes(config: Record<string, string>, bridge: string): string[][] {
  const specs: string[][] = []
  for (const family of [4, 6] as const) {
    const via = config[`ipv${family}.address`]
    for (const subnet of (config[`ipv${family}.routes`] ?? '').split(',').filter(Boolean))
      specs.push([subnet.trim(), ...(via ? ['via', via] : []), 'dev', bridge])
  }
  return specs
}

/**
 * Writes (or removes, with `undefined`) the NIC's static dnsmasq entry on its managed network
 * and reloads it. The entry outlives stops, as LXD's does: the name keeps its address.
 */
function writeHostsEntry(ctx: Omit<DeviceContext, 'record'>, hwaddr: string | undefined): void {
  const { inst, device, config } = ctx
  const network = config.network
  if (!network || !findNetwork(ctx.state.db, network)) return
  const dir = dnsmasqFiles(networkDir(ctx.state, network)).hosts
  const file = join(dir, hostsFileName(inst.project, inst.name, device))
  if (hwaddr === undefined) rmSync(file, { force: true })
  else {
    mkdirSync(dir, { recursive: true })
    // `none` means no address of that family (a filtered NIC may then send none): nothing to pin.
    const fixed = (family: 4 | 6) => {
      const a = config[`ipv${family}.address`]
      return a && a !== 'none' ? a : undefined
    }
    const ipv4 = fixed(4)
    const ipv6 = fixed(6)
    const line = hostsLine({
      hwaddr,
      ...(ipv4 ? { ipv4 } : {}),
      ...(ipv6 ? { ipv6 } : {}),
      name: dnsName(inst.project, inst.name),
    })
    writeFileSync(file, `${line}\n`, { mode: 0o644 })
  }
  ctx.state.networks.dnsmasq.get(network)?.reload()
}

/** Writes the NIC's dnsmasq entry (with a pinned address when IPv4 filtering needs one) and its filter. */
async function filterNic(ctx: DeviceContext, hostName: string, hwaddr: string): Promise<void> {
  const { inst, device } = ctx
  const nic = {
    device,
    config: ctx.config,
    hostName,
    hwaddr,
    hostsFile: hostsFileName(inst.project, inst.name, device),
  }
  const allowed = allowedAddresses(ctx.state, nic)
  const config = allowed.pinIpv4 ? { ...ctx.config, 'ipv4.address': allowed.pinIpv4 } : ctx.config
  writeHostsEntry({ ...ctx, config }, hwaddr)
  const apply = () => applyNicFilter(ctx.state, inst, nic, allowed)
  // Recorded once per NIC: removing a NIC's chains is the same whatever rules they held.
  if (ctx.record.has(device, 'nic-filter')) return void (await apply())
  await ctx.record.apply({ kind: 'nic-filter', device, hostName, label: filterLabel(inst, device) }, apply)
}

/**
 * A static address on a managed network: in its subnet, not the gateway, network or broadcast
 * address, with DHCP on for IPv4, and not another instance's (LXD checks these at update time).
 */
function checkOnNetwork(c: Record<string, string>, ctx: ValidateContext): void {
  const net = findNetwork(ctx.db, c.network!)
  if (!net) throw badRequest(`Network "${c.network}" not found`)
  for (const family of [4, 6] as Family[]) {
    const address = c[`ipv${family}.address`]
    if (!address || address === 'none') continue
    const subnet = bridgeSubnet(net.config, family)
    const fail = (why: string): never => {
      throw badRequest(`Invalid ipv${family}.address "${address}": ${why}`)
    }
    if (!subnet) fail(`network "${net.name}" has no IPv${family} subnet`)
    if (family === 4 && !isTrue(bridgeKeys.get(net.config, 'ipv4.dhcp')))
      fail(`DHCP is off on network "${net.name}"`)
    const ip = parseIp(address)!
    if (!contains(subnet!.cidr, ip)) fail(`outside the network's subnet ${subnet!.subnet}`)
    if (ip.value === subnet!.cidr.address) fail("it is the network's own address")
    if (ip.value === networkOf(subnet!.cidr) || (family === 4 && ip.value === lastOf(subnet!.cidr)))
      fail('not a host address of the subnet')
    for (const other of ctx.others()) {
      for (const [otherDevice, oc] of Object.entries(other.devices)) {
        const taken = oc.type === 'nic' && oc.network === c.network && oc[`ipv${family}.address`]
        if (taken && parseIp(taken)?.value === ip.value)
          fail(`already used by ${other.name}'s device "${otherDevice}" (${formatIp(family, ip.value)})`)
      }
    }
  }
}
