/** @module The firewall driver contract: bridge rules, NIC spoofing filters, routed NIC reverse-path filters. */
import type { CommandRunner } from '../host/runner.js'

/** One family's firewall features for a bridge. */
export interface FamilyFeatures {
  /** Let instances reach the bridge's DNS, DHCP and the ICMP they need (`ipvN.firewall`). */
  dhcpDnsAccess: boolean
  /** Accept forwarding in and out of the bridge (`ipvN.routing` with `ipvN.firewall`). */
  forward: boolean
  /** Masquerade this subnet when it leaves through another interface (`ipvN.nat`). */
  natSubnet?: string
}

/** A managed bridge's rules. */
export interface NetworkRules {
  bridge: string
  v4?: FamilyFeatures
  v6?: FamilyFeatures
}

/** A bridged NIC's spoofing filter. */
export interface NicFilter {
  /** `<instance>.<device>` (`<project>_<instance>.<device>` outside the default project). */
  label: string
  hostName: string
  hwaddr: string
  /** Allowed IPv4 addresses and subnets; undefined when IPv4 is not filtered, [] to drop all IPv4. */
  ipv4?: string[]
  /** Allowed IPv6 addresses and subnets; undefined when IPv6 is not filtered, [] to drop all IPv6. */
  ipv6?: string[]
}

/** What the network and device code asks of the firewall; each driver implements it. */
export interface Firewall {
  /** The driver's name, as GET /1.0 reports it in `environment.firewall`. */
  readonly name: string
  /** (Re)applies a managed bridge's DNS/DHCP/ICMP, forwarding and NAT rules atomically. */
  networkApply(rules: NetworkRules): Promise<void>
  /** Removes a bridge's rules (and the driver's tables when nothing else uses them). */
  networkRemove(bridge: string): Promise<void>
  /** (Re)applies a bridged NIC's spoofing filter. */
  nicFilterApply(filter: NicFilter): Promise<void>
  /** Removes a bridged NIC's spoofing filter (a no-op when there is none). */
  nicFilterRemove(label: string, hostName: string): Promise<void>
  /** Adds a routed NIC's reverse-path drop rule. */
  routedApply(hostName: string): Promise<void>
  /** Removes a routed NIC's reverse-path drop rule. */
  routedRemove(hostName: string): Promise<void>
}

/** A firewall driver as the registry knows it: whether it is in use or works here, and how to build it. */
export interface FirewallDriver {
  /** The name `--firewall` and `environment.firewall` use. */
  readonly name: string
  /** One line for `corrald --help` and the docs. */
  readonly short: string
  /** True when this daemon's rules (its `table`) are already in this driver's tables: a restart keeps its driver. */
  inUse(host: CommandRunner, table: string): Promise<boolean>
  /** True when the driver's tools work on this host. */
  works(host: CommandRunner): Promise<boolean>
  /** The driver, over the host seam, with this daemon's table name. */
  create(host: CommandRunner, table: string): Firewall
}
