/** @module Pure builder of a bridged NIC's spoofing filter in the daemon's `bridge` nftables table. */
import type { NicFilter } from '../firewall.js'
import { formatSubnet, parseCidr, type Cidr } from '../../util/ip.js'
import { ifnameWord, macWord, nameWord } from '../words.js'
import { nftScript } from './script.js'

/** What a NIC's filter depends on: the driver adds its table. */
export interface BridgeFilterInput extends NicFilter {
  table: string
}

/** The chain names of a NIC's filter. */
export const bridgeFilterChains = (label: string) => ({
  in: `in.${nameWord(label)}`,
  fwd: `fwd.${nameWord(label)}`,
})

/** The IPv6 NA target match: the address (or subnet prefix) as a header-offset hex value. */
function ndTargetMatch(c: Cidr): string {
  const prefix = c.prefix
  const value = c.address >> BigInt(128 - prefix)
  return `@nh,384,${prefix} 0x${value.toString(16)}`
}

/** The rules, the same for frames to the host (input) and to other ports (forward). */
function rules(input: BridgeFilterInput): string[] {
  const i = `iifname "${ifnameWord(input.hostName)}"`
  const mac = macWord(input.hwaddr)
  const macHex = `0x${mac.replace(/:/g, '')}`
  const out = [
    `${i} ether saddr != ${mac} drop`,
    `${i} ether type arp arp saddr ether != ${mac} drop`,
    // The target link-layer option of a neighbour advertisement must carry the NIC's own MAC.
    `${i} ether type ip6 icmpv6 type nd-neighbor-advert @nh,528,48 != ${macHex} drop`,
  ]
  if (input.ipv4) {
    // DHCP discovery comes from 0.0.0.0: let it reach the host's dnsmasq, or a DHCP server on the bridge.
    out.push(`${i} ether type ip ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp dport 67 accept`)
    for (const net of input.ipv4.map(subnetText)) {
      out.push(`${i} ether type arp arp saddr ip ${net} accept`, `${i} ether type ip ip saddr ${net} accept`)
    }
    out.push(`${i} ether type arp drop`, `${i} ether type ip drop`)
  }
  if (input.ipv6) {
    out.push(
      `${i} ether type ip6 ip6 saddr fe80::/10 ip6 daddr ff02::1:2 udp dport 547 accept`,
      `${i} ether type ip6 ip6 saddr fe80::/10 ip6 daddr ff02::2 icmpv6 type nd-router-solicit accept`,
      `${i} ether type ip6 icmpv6 type nd-router-advert drop`,
    )
    for (const text of input.ipv6) {
      const c = parseCidr(text.includes('/') ? text : `${text}/128`)!
      out.push(
        `${i} ether type ip6 icmpv6 type nd-neighbor-advert ${ndTargetMatch(c)} accept`,
        `${i} ether type ip6 ip6 saddr ${formatSubnet(c)} accept`,
      )
    }
    out.push(`${i} ether type ip6 drop`)
  }
  // With IP filtering, nothing but ARP, IPv4 and IPv6 (this is what stops 802.1ad and other tunnels).
  if (input.ipv4 || input.ipv6) out.push(`${i} ether type != { arp, ip, ip6 } drop`)
  return out
}

/** `198.18.0.5` → `198.18.0.5`, subnets normalised. */
function subnetText(text: string): string {
  if (!text.includes('/')) return text
  return formatSubnet(parseCidr(text)!)
}

/** The nft script that (re)creates a NIC's filter chains in one transaction. */
export function bridgeFilterScript(input: BridgeFilterInput): string {
  const t = `bridge ${nameWord(input.table)}`
  const c = bridgeFilterChains(input.label)
  const lines = [`add table ${t}`]
  for (const [hook, name] of [
    ['in', c.in],
    ['fwd', c.fwd],
  ] as const) {
    const nftHook = hook === 'in' ? 'input' : 'forward'
    lines.push(
      `add chain ${t} ${name} { type filter hook ${nftHook} priority -200; policy accept; }`,
      `flush chain ${t} ${name}`,
      ...rules(input).map((r) => `add rule ${t} ${name} ${r}`),
    )
  }
  return nftScript(lines)
}

/** The nft script that removes a NIC's filter chains (a no-op when absent). */
export function bridgeFilterRemoveScript(table: string, label: string): string {
  const t = `bridge ${nameWord(table)}`
  const c = bridgeFilterChains(label)
  return nftScript([
    `add table ${t}`,
    ...[c.in, c.fwd].flatMap((n) => [`add chain ${t} ${n}`, `delete chain ${t} ${n}`]),
  ])
}
