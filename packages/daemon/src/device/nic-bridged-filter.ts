/** @module Spoofing protection of a bridged NIC: which addresses it may use, pinned DHCP leases, nft rules. */
import { readFileSync } from 'node:fs'
import { isTrue } from '../config/validate.js'
import { findNetwork, type NetworkRecord } from '../db/networks.js'
import { dnsmasqFiles } from '../dnsmasq/args.js'
import { readHostsDir } from '../dnsmasq/hosts.js'
import { parseLeases } from '../dnsmasq/leases.js'
import { bridgeSubnet, dnsmasqV4 } from '../network/bridge-config.js'
import { networkDir } from '../network/bridge.js'
import type { State } from '../state.js'
import { formatIp, networkOf, parseIp } from '../util/ip.js'

/** Which filters a NIC's keys turn on (IP filtering implies MAC filtering, as in LXD). */
export function filtersOf(config: Record<string, string>): { mac: boolean; ipv4: boolean; ipv6: boolean } {
  const ipv4 = isTrue(config['security.ipv4_filtering'])
  const ipv6 = isTrue(config['security.ipv6_filtering'])
  return { mac: ipv4 || ipv6 || isTrue(config['security.mac_filtering']), ipv4, ipv6 }
}

/** The label of a NIC's filter chains: `<instance>.<device>`, project-qualified outside default. */
export function filterLabel(inst: { project: string; name: string }, device: string): string {
  return inst.project === 'default' ? `${inst.name}.${device}` : `${inst.project}_${inst.name}.${device}`
}

/** The EUI-64 interface identifier of a MAC (what SLAAC combines with the prefix). */
function eui64(hwaddr: string): bigint {
  const b = hwaddr.split(':').map((x) => parseInt(x, 16))
  const bytes = [b[0]! ^ 0x02, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!]
  return bytes.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n)
}

/**
 * The IPv4 address a filtered NIC may use on a managed network without a static one: the one
 * already pinned for it, else its current lease, else the first free address of the DHCP range.
 * LXD pins it the same way, so the filter and the lease agree.
 */
function pinnedIpv4(state: State, net: NetworkRecord, file: string, hwaddr: string): string | undefined {
  const v4 = dnsmasqV4(net.config)
  if (!v4?.dhcp) return undefined
  const files = dnsmasqFiles(networkDir(state, net.name))
  const hosts = readHostsDir(files.hosts)
  const own = hosts.get(file)?.ipv4
  if (own) return own
  const taken = new Set([
    v4.address,
    ...[...hosts.entries()].filter(([f]) => f !== file).map(([, e]) => e.ipv4),
  ])
  let leases: ReturnType<typeof parseLeases> = []
  try {
    leases = parseLeases(readFileSync(files.leases, 'utf8'))
  } catch {
    // No lease yet.
  }
  const mine = leases.find((l) => l.family === 4 && l.hwaddr.toLowerCase() === hwaddr.toLowerCase())
  if (mine && !taken.has(mine.address)) return mine.address
  for (const l of leases) if (l.family === 4) taken.add(l.address)
  for (const [first, last] of v4.ranges) {
    for (let ip = parseIp(first)!.value; ip <= parseIp(last)!.value; ip++) {
      const text = formatIp(4, ip)
      if (!taken.has(text)) return text
    }
  }
  return undefined
}

/** A bridged NIC as the filter sees it. */
export interface FilteredNic {
  device: string
  config: Record<string, string>
  hostName: string
  hwaddr: string
  /** The NIC's dnsmasq hosts file name (where a pinned address is written). */
  hostsFile: string
}

/**
 * The addresses the NIC may use, per filtered family; and the IPv4 to pin in its static
 * dnsmasq entry when the address came from DHCP.
 */
export function allowedAddresses(
  state: State,
  nic: FilteredNic,
): { ipv4?: string[]; ipv6?: string[]; pinIpv4?: string } {
  const f = filtersOf(nic.config)
  const net = nic.config.network ? findNetwork(state.db, nic.config.network) : undefined
  const routes = (family: 4 | 6) => (nic.config[`ipv${family}.routes`] ?? '').split(',').filter(Boolean)
  const out: { ipv4?: string[]; ipv6?: string[]; pinIpv4?: string } = {}
  if (f.ipv4) {
    const stat = nic.config['ipv4.address']
    if (stat === 'none') out.ipv4 = []
    else if (stat) out.ipv4 = [stat, ...routes(4)]
    else {
      const pinned = net ? pinnedIpv4(state, net, nic.hostsFile, nic.hwaddr) : undefined
      out.ipv4 = pinned ? [pinned, ...routes(4)] : []
      if (pinned) out.pinIpv4 = pinned
    }
  }
  if (f.ipv6) {
    const stat = nic.config['ipv6.address']
    const linkLocal = formatIp(6, (0xfe80n << 112n) | eui64(nic.hwaddr))
    if (stat === 'none') out.ipv6 = []
    else if (stat) out.ipv6 = [stat, linkLocal, ...routes(6)]
    else {
      const subnet = net ? bridgeSubnet(net.config, 6) : undefined
      const slaac =
        subnet && subnet.cidr.prefix === 64 && !isTrue(net!.config['ipv6.dhcp.stateful'])
          ? [formatIp(6, networkOf(subnet.cidr) | eui64(nic.hwaddr))]
          : []
      out.ipv6 = slaac.length ? [...slaac, linkLocal, ...routes(6)] : []
    }
  }
  return out
}

/** Applies (or, with no filter on, removes) a NIC's filter chains in one nft transaction. */
export async function applyNicFilter(
  state: State,
  inst: { project: string; name: string },
  nic: FilteredNic,
  allowed: { ipv4?: string[]; ipv6?: string[] },
): Promise<void> {
  const label = filterLabel(inst, nic.device)
  if (!filtersOf(nic.config).mac) {
    await removeNicFilter(state, inst, nic.device, nic.hostName)
    return
  }
  await state.firewall.nicFilterApply({
    label,
    hostName: nic.hostName,
    hwaddr: nic.hwaddr,
    ...(allowed.ipv4 ? { ipv4: allowed.ipv4 } : {}),
    ...(allowed.ipv6 ? { ipv6: allowed.ipv6 } : {}),
  })
}

/** Removes a NIC's filter chains (nothing happens when there are none). */
export async function removeNicFilter(
  state: State,
  inst: { project: string; name: string },
  device: string,
  hostName: string,
): Promise<void> {
  await state.firewall.nicFilterRemove(filterLabel(inst, device), hostName)
}
