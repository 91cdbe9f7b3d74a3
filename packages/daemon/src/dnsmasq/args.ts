/** @module Pure builder of a bridge's dnsmasq command line (LXD's flag set, no upstream servers). */

/** The IPv4 side of a bridge as dnsmasq serves it. */
export interface DnsmasqV4 {
  /** The bridge's address. */
  address: string
  dhcp: boolean
  /** `first,last` pairs. */
  ranges: [string, string][]
  expiry: string
  /** Gateway option when it is not the bridge itself. */
  gateway?: string
}

/** The IPv6 side of a bridge as dnsmasq serves it. */
export interface DnsmasqV6 {
  address: string
  prefix: number
  dhcp: boolean
  stateful: boolean
  ranges: [string, string][]
  expiry: string
}

/** Everything the command line depends on. */
export interface DnsmasqInput {
  bridge: string
  /** The network's state directory (leases, hosts, raw config, pid file). */
  dir: string
  v4?: DnsmasqV4
  v6?: DnsmasqV6
  domain: string
  dnsMode: 'managed' | 'dynamic' | 'none'
  dnsSearch: string[]
  mtu: number
  /** Unprivileged user and group dnsmasq drops to. */
  user: string
  group: string
}

/** Files of a network's dnsmasq inside its directory. */
export const dnsmasqFiles = (dir: string) => ({
  leases: `${dir}/dnsmasq.leases`,
  hosts: `${dir}/dnsmasq.hosts`,
  raw: `${dir}/dnsmasq.raw`,
  pid: `${dir}/dnsmasq.pid`,
})

/** The arguments of `dnsmasq`; the same input always gives the same list. */
export function dnsmasqArgs(input: DnsmasqInput): string[] {
  const files = dnsmasqFiles(input.dir)
  const args = [
    '--keep-in-foreground',
    '--strict-order',
    '--bind-interfaces',
    '--except-interface=lo',
    '--pid-file=',
    '--no-ping',
    `--interface=${input.bridge}`,
    '--dhcp-rapid-commit',
    '--quiet-dhcp',
    '--quiet-dhcp6',
    '--quiet-ra',
    // Logs on stderr, where the daemon reads the start-up line and any bind failure.
    '--log-facility=-',
    // Never forward: no upstream from /etc/resolv.conf, no host /etc/hosts (raw.dnsmasq may add servers).
    '--no-resolv',
    '--no-hosts',
  ]
  if (input.v4) args.push(`--listen-address=${input.v4.address}`)
  if (input.v6) args.push(`--listen-address=${input.v6.address}`)
  const dhcp = Boolean(input.v4?.dhcp || input.v6?.dhcp)
  if (dhcp) {
    args.push(
      '--dhcp-no-override',
      '--dhcp-authoritative',
      `--dhcp-leasefile=${files.leases}`,
      `--dhcp-hostsfile=${files.hosts}`,
    )
  }
  if (input.v4?.dhcp) {
    for (const [first, last] of input.v4.ranges)
      args.push('--dhcp-range', `${first},${last},${input.v4.expiry}`)
    if (input.v4.gateway) args.push(`--dhcp-option-force=3,${input.v4.gateway}`)
    if (input.mtu !== 1500) args.push(`--dhcp-option-force=26,${input.mtu}`)
    if (input.dnsSearch.length) args.push(`--dhcp-option-force=119,${input.dnsSearch.join(',')}`)
  }
  if (input.v6) {
    args.push('--enable-ra')
    if (input.v6.dhcp && input.v6.stateful) {
      const ranges = input.v6.ranges.length
        ? input.v6.ranges
        : [[`::`, `constructor:${input.bridge}`] as [string, string]]
      for (const [first, last] of ranges)
        args.push('--dhcp-range', `${first},${last},${input.v6.prefix},${input.v6.expiry}`)
    } else {
      // SLAAC from router advertisements; ra-names guesses DHCPv4 clients' SLAAC addresses for AAAA records.
      const mode = input.v6.dhcp ? 'ra-stateless,ra-names' : 'ra-only'
      args.push('--dhcp-range', `::,constructor:${input.bridge},${mode}`)
    }
  }
  if (input.dnsMode !== 'none') {
    args.push(
      '-s',
      input.domain,
      '--interface-name',
      `_gateway.${input.domain},${input.bridge}`,
      // Authoritative for the domain: never forwarded.
      '-S',
      `/${input.domain}/`,
    )
    // Managed mode: names come from instance names in the hosts file, never from what a client asks for.
    if (input.dnsMode === 'managed') args.push('--dhcp-ignore-names')
  } else {
    args.push('--port=0')
  }
  args.push(`--conf-file=${files.raw}`, '-u', input.user, '-g', input.group)
  return args
}
