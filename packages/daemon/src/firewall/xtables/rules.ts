/** @module Pure builders of the xtables rules: a bridge's (iptables/ip6tables), a NIC's filter (ebtables + ip6tables for NDP), a routed NIC's reverse-path drop. */
import { formatSubnet, parseCidr } from '../../util/ip.js'
import type { NetworkRules, NicFilter } from '../firewall.js'
import { ifnameWord, macWord } from '../words.js'

/** One command: the tool and its arguments. */
export type XtablesRule = [tool: 'iptables' | 'ip6tables' | 'ebtables', ...args: string[]]

const icmp4Types = ['destination-unreachable', 'time-exceeded', 'parameter-problem']
const icmp6Types = ['destination-unreachable', 'packet-too-big', 'time-exceeded', 'parameter-problem']

/** A managed bridge's rules, each tagged with `comment` so they can be found and removed. */
export function xtablesNetworkRules(r: NetworkRules, comment: string): XtablesRule[] {
  const out: XtablesRule[] = []
  const tag = ['-m', 'comment', '--comment', comment]
  const b = r.bridge
  for (const [family, f] of [
    [4, r.v4],
    [6, r.v6],
  ] as const) {
    if (!f) continue
    const tool = family === 4 ? 'iptables' : 'ip6tables'
    /** An ACCEPT rule of `chain` for traffic in from (INPUT, FORWARD) or out to (OUTPUT) the bridge. */
    const accept = (chain: string, dir: '-i' | '-o', ...match: string[]) =>
      out.push([tool, '-t', 'filter', '-A', chain, dir, b, ...match, ...tag, '-j', 'ACCEPT'])
    if (f.dhcpDnsAccess) {
      const dhcp = family === 4 ? '67' : '547'
      const icmp = family === 4 ? ['-p', 'icmp', '--icmp-type'] : ['-p', 'ipv6-icmp', '--icmpv6-type']
      const common = family === 4 ? icmp4Types : icmp6Types
      const ndp = ['neighbour-solicitation', 'neighbour-advertisement']
      for (const [chain, dir, port, types] of [
        ['INPUT', '-i', '--dport', family === 4 ? common : [...common, 'router-solicitation', ...ndp]],
        ['OUTPUT', '-o', '--sport', family === 4 ? common : [...common, 'router-advertisement', ...ndp]],
      ] as const) {
        for (const proto of ['tcp', 'udp']) accept(chain, dir, '-p', proto, port, '53')
        accept(chain, dir, '-p', 'udp', port, dhcp)
        for (const t of types) accept(chain, dir, ...icmp, t)
      }
    }
    if (f.forward) {
      accept('FORWARD', '-i')
      accept('FORWARD', '-o')
    }
    if (f.natSubnet)
      out.push([
        tool,
        '-t',
        'nat',
        '-A',
        'POSTROUTING',
        '-s',
        f.natSubnet,
        '!',
        '-d',
        f.natSubnet,
        ...tag,
        '-j',
        'MASQUERADE',
      ])
  }
  return out
}

/** The words of a rule part that holds only constants (never a value from a config). */
const fixed = (words: string): string[] => words.split(' ')

/** ebtables' `address/mask` form of an address or subnet. */
function ebSubnet(text: string, family: 4 | 6): string {
  const c = parseCidr(text.includes('/') ? text : `${text}/${family === 4 ? 32 : 128}`)!
  return formatSubnet(c)
}

/**
 * A bridged NIC's filter: ebtables for MAC, ARP, IPv4, IPv6 sources, RAs and other ethertypes;
 * ip6tables (raw PREROUTING with physdev, which needs br_netfilter) for what ebtables cannot
 * see in NDP: the target and the link-layer option of neighbour advertisements.
 */
export function xtablesNicRules(f: NicFilter): XtablesRule[] {
  const out: XtablesRule[] = []
  // Argument words, not a shell line; still only a name and a MAC may land here.
  const i = ['-i', ifnameWord(f.hostName)]
  const mac = macWord(f.hwaddr)
  const both = (...args: string[]) => {
    out.push(['ebtables', '-t', 'filter', '-A', 'INPUT', ...args])
    out.push(['ebtables', '-t', 'filter', '-A', 'FORWARD', ...args])
  }
  both('-s', '!', mac, ...i, '-j', 'DROP')
  both('-p', 'ARP', ...i, '--arp-mac-src', '!', mac, '-j', 'DROP')
  if (f.ipv4) {
    both(
      '-p',
      'IPv4',
      ...i,
      ...fixed('--ip-src 0.0.0.0 --ip-dst 255.255.255.255 --ip-proto udp --ip-dport 67 -j ACCEPT'),
    )
    for (const a of f.ipv4) {
      both('-p', 'ARP', ...i, '--arp-ip-src', ebSubnet(a, 4), '-j', 'ACCEPT')
      both('-p', 'IPv4', ...i, '--ip-src', ebSubnet(a, 4), '-j', 'ACCEPT')
    }
    both('-p', 'ARP', ...i, '-j', 'DROP')
    both('-p', 'IPv4', ...i, '-j', 'DROP')
  }
  if (f.ipv6) {
    both(
      '-p',
      'IPv6',
      ...i,
      ...fixed('--ip6-src fe80::/10 --ip6-dst ff02::1:2/128 --ip6-proto udp --ip6-dport 547 -j ACCEPT'),
    )
    both(
      '-p',
      'IPv6',
      ...i,
      ...fixed(
        '--ip6-src fe80::/10 --ip6-dst ff02::2/128 --ip6-proto ipv6-icmp --ip6-icmp-type router-solicitation -j ACCEPT',
      ),
    )
    both('-p', 'IPv6', ...i, ...fixed('--ip6-proto ipv6-icmp --ip6-icmp-type router-advertisement -j DROP'))
    for (const a of f.ipv6) both('-p', 'IPv6', ...i, '--ip6-src', ebSubnet(a, 6), '-j', 'ACCEPT')
    both('-p', 'IPv6', ...i, '-j', 'DROP')
  }
  if (f.ipv4 || f.ipv6) {
    // The unfiltered family still passes; everything that is not ARP, IPv4 or IPv6 does not.
    if (!f.ipv4) {
      both('-p', 'ARP', ...i, '-j', 'ACCEPT')
      both('-p', 'IPv4', ...i, '-j', 'ACCEPT')
    }
    if (!f.ipv6) both('-p', 'IPv6', ...i, '-j', 'ACCEPT')
    both(...i, '-j', 'DROP')
  }
  // Neighbour advertisements: the link-layer option must carry the NIC's MAC; with IPv6 filtering
  // the target must be an allowed address.
  const na = [
    '-t',
    'raw',
    '-A',
    'PREROUTING',
    '-m',
    'physdev',
    '--physdev-in',
    f.hostName,
    '-p',
    'ipv6-icmp',
    '--icmpv6-type',
    'neighbour-advertisement',
  ]
  /** An NA rule matching `bytes` between two offsets of the packet (xt_string). */
  const naMatch = (from: number, bytes: Buffer, negate: boolean, target: 'ACCEPT' | 'DROP'): XtablesRule => [
    'ip6tables',
    ...na,
    ...['-m', 'string', '--algo', 'bm', '--from', String(from), '--to', String(from + bytes.length)],
    ...(negate ? ['!'] : []),
    ...['--hex-string', `|${bytes.toString('hex')}|`, '-j', target],
  ]
  // The link-layer option (offset 66) must carry the NIC's MAC.
  out.push(naMatch(66, Buffer.from(mac.split(':').map((x) => parseInt(x, 16))), true, 'DROP'))
  if (f.ipv6) {
    for (const a of f.ipv6) {
      const c = parseCidr(a.includes('/') ? a : `${a}/128`)!
      if (c.prefix % 8 !== 0) continue
      // The target address (offset 48) must be one of the NIC's, or in one of its prefixes.
      out.push(
        naMatch(
          48,
          Buffer.from(c.address.toString(16).padStart(32, '0'), 'hex').subarray(0, c.prefix / 8),
          false,
          'ACCEPT',
        ),
      )
    }
    out.push(['ip6tables', ...na, '-j', 'DROP'])
  }
  return out
}

/** Splits an `iptables -S` / `ebtables -L` rule line into arguments (quotes removed). */
export function ruleArgs(line: string): string[] {
  return (line.match(/"[^"]*"|\S+/g) ?? []).map((t) => t.replace(/^"(.*)"$/, '$1'))
}

/** The routed NIC's reverse-path drop rules. */
export const routedRules = (hostName: string): XtablesRule[] =>
  (['iptables', 'ip6tables'] as const).map((tool) => [
    tool,
    '-t',
    'raw',
    '-A',
    'PREROUTING',
    '-i',
    ifnameWord(hostName),
    '-m',
    'rpfilter',
    '--invert',
    '-j',
    'DROP',
  ])
