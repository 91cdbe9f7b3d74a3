/** @module Pure builder of a managed bridge's nftables rules (LXD's in/out/fwd/pstrt chains). */
import { formatSubnet, parseCidr } from '../../util/ip.js'
import type { NetworkRules } from '../firewall.js'
import { ifnameWord, nameWord } from '../words.js'
import { nftScript } from './script.js'

/** What the bridge's rules depend on: the driver adds its table. */
export interface NetworkFirewallInput extends NetworkRules {
  table: string
}

const chains = (name: string) => {
  const bridge = ifnameWord(name)
  return {
    in: `in.${bridge}`,
    out: `out.${bridge}`,
    fwd: `fwd.${bridge}`,
    pstrt: `pstrt.${bridge}`,
  }
}

/** A subnet as nft reads it, from its parsed form (never the text as given). */
function subnet(text: string): string {
  const c = parseCidr(text)
  if (!c) throw new Error(`Refusing ${JSON.stringify(text)} as an nftables subnet`)
  return formatSubnet(c)
}

const icmp4 = 'icmp type { destination-unreachable, time-exceeded, parameter-problem }'
const icmp6In =
  'icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report }'
const icmp6Out =
  'icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report }'

/** The nft script that (re)creates the bridge's chains in one transaction. */
export function networkRulesScript(input: NetworkFirewallInput): string {
  const { table, bridge } = input
  const c = chains(bridge)
  const t = `inet ${nameWord(table)}`
  const q = `"${ifnameWord(bridge)}"`
  const lines = [`add table ${t}`]
  const chain = (name: string, spec: string, rules: string[]) => {
    lines.push(`add chain ${t} ${name} { ${spec} }`, `flush chain ${t} ${name}`)
    for (const r of rules) lines.push(`add rule ${t} ${name} ${r}`)
  }
  const inRules: string[] = []
  const outRules: string[] = []
  const fwdRules: string[] = []
  const natRules: string[] = []
  // DNS, DHCP and the ICMP instances need, in from the bridge and back out to it.
  for (const [f, icmpIn, icmpOut, dhcp] of [
    [input.v4, icmp4, icmp4, 67],
    [input.v6, icmp6In, icmp6Out, 547],
  ] as const) {
    if (!f?.dhcpDnsAccess) continue
    for (const [rules, dir, port, icmp] of [
      [inRules, 'iifname', 'dport', icmpIn],
      [outRules, 'oifname', 'sport', icmpOut],
    ] as const) {
      rules.push(
        `${dir} ${q} tcp ${port} 53 accept`,
        `${dir} ${q} udp ${port} 53 accept`,
        `${dir} ${q} ${icmp} accept`,
        `${dir} ${q} udp ${port} ${dhcp} accept`,
      )
    }
  }
  if (input.v4?.forward) fwdRules.push(`ip version 4 oifname ${q} accept`, `ip version 4 iifname ${q} accept`)
  if (input.v6?.forward)
    fwdRules.push(`ip6 version 6 oifname ${q} accept`, `ip6 version 6 iifname ${q} accept`)
  if (input.v4?.natSubnet) {
    const n = subnet(input.v4.natSubnet)
    natRules.push(`ip saddr ${n} ip daddr != ${n} masquerade`)
  }
  if (input.v6?.natSubnet) {
    const n = subnet(input.v6.natSubnet)
    natRules.push(`ip6 saddr ${n} ip6 daddr != ${n} masquerade`)
  }
  chain(c.in, 'type filter hook input priority filter; policy accept;', [...new Set(inRules)])
  chain(c.out, 'type filter hook output priority filter; policy accept;', [...new Set(outRules)])
  chain(c.fwd, 'type filter hook forward priority filter; policy accept;', fwdRules)
  chain(c.pstrt, 'type nat hook postrouting priority srcnat; policy accept;', natRules)
  return nftScript(lines)
}

/** The nft script that removes the bridge's chains (a no-op for chains that do not exist). */
export function networkRemoveScript(table: string, bridge: string): string {
  const t = `inet ${nameWord(table)}`
  const lines = [`add table ${t}`]
  for (const name of Object.values(chains(bridge)))
    lines.push(`add chain ${t} ${name}`, `delete chain ${t} ${name}`)
  return nftScript(lines)
}
