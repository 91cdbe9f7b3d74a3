/** @module `network list|list-leases|info`: networks as a table, DHCP leases, runtime state. */
import type { NetworkState } from '@corral/api'
import type { CommandDefinition } from '../../command.js'
import { list, text } from '../../render/result.js'
import { splitRemote } from '../../remotes/config.js'
import { formatFlag, formatOf } from '../common.js'
import { listCommand } from '../list-command.js'
import { leaseShape, networkCommand, networkShape, targetFlag } from './common.js'

/** `network list|ls [<remote>:]`: host interfaces too; loopback and unknown ones only in json/yaml. */
export const networkList: CommandDefinition = listCommand({
  short: 'List available networks',
  header: ['NAME', 'TYPE', 'MANAGED', 'IPV4', 'IPV6', 'DESCRIPTION', 'USED BY', 'STATE'],
  async client(ctx, arg) {
    // lxc reads a bare word here as a filter, which it does not support, not as a remote.
    const { remote, name } = splitRemote(await ctx.config(), arg ?? '')
    if (name !== '') throw new Error("Filtering isn't supported yet")
    return ctx.client(remote)
  },
  fetch: (client) => client.networks.list(),
  rows: (networks) =>
    networks
      .filter((n) => !['loopback', 'unknown'].includes(n.type))
      .map((n) => [
        n.name,
        n.type,
        n.managed ? 'YES' : 'NO',
        n.config?.['ipv4.address'] ?? '',
        n.config?.['ipv6.address'] ?? '',
        n.description,
        String(n.used_by?.length ?? 0),
        n.status.toUpperCase(),
      ]),
  raw: (n) => networkShape(n),
})

/** `network list-leases [<remote>:]<network>`. */
export const networkListLeases: CommandDefinition = networkCommand({
  names: ['list-leases'],
  usage: '[<remote>:]<network>',
  short: 'List DHCP leases',
  args: { min: 1, max: 1 },
  flags: [formatFlag],
  async run(client, name, _args, _ctx, flags) {
    const format = formatOf(flags)
    const leases = await client.networks.leases(name)
    const rows = leases.map((l) => [l.hostname, l.hwaddr, l.address, l.type.toUpperCase()])
    const header = ['HOSTNAME', 'MAC ADDRESS', 'IP ADDRESS', 'TYPE']
    return list({ header, rows, raw: leases.map(leaseShape) }, format)
  },
})

/** A byte count as LXD's GetByteSizeString prints it (SI units): `374B`, `13.28MB`. */
export function byteSizeSI(input: number, precision = 2): string {
  if (input < 1000) return `${input}B`
  let value = input
  for (const unit of ['kB', 'MB', 'GB', 'TB', 'PB']) {
    value /= 1000
    if (value < 1000) return `${value.toFixed(precision)}${unit}`
  }
  return `${(value / 1000).toFixed(precision)}EB`
}

/** The text `lxc network info` prints for a network state. */
export function networkInfoText(name: string, s: NetworkState): string {
  let out = `Name: ${name}\nMAC address: ${s.hwaddr}\nMTU: ${s.mtu}\nState: ${s.state}\nType: ${s.type}\n`
  if (s.addresses?.length) {
    out += '\nIP addresses:\n'
    for (const a of s.addresses) out += `  ${a.family}\t${a.address}/${a.netmask} (${a.scope})\n`
  }
  const c = s.counters
  out += '\nNetwork usage:\n'
  out += `  Bytes received: ${byteSizeSI(c.bytes_received)}\n  Bytes sent: ${byteSizeSI(c.bytes_sent)}\n`
  out += `  Packets received: ${c.packets_received}\n  Packets sent: ${c.packets_sent}\n`
  const b = s.bridge
  if (b) {
    out += `\nBridge:\n  ID: ${b.id}\n  STP: ${b.stp}\n  Forward delay: ${b.forward_delay}\n`
    out += `  Default VLAN ID: ${b.vlan_default}\n  VLAN filtering: ${b.vlan_filtering}\n`
    out += `  Upper devices: ${(b.upper_devices ?? []).join(', ')}\n`
  }
  return out
}

/** `network info [<remote>:]<network>`: the host interface's state, counters and bridge details. */
export const networkInfo: CommandDefinition = networkCommand({
  names: ['info'],
  usage: '[<remote>:]<network>',
  short: 'Get runtime information on networks',
  args: { min: 1, max: 1 },
  flags: [targetFlag],
  async run(client, name, _args, _ctx, flags) {
    if (typeof flags.target === 'string' && flags.target !== '')
      throw new Error('To use --target, the destination remote must be a cluster')
    return text(networkInfoText(name, await client.networks.state(name)))
  },
})
