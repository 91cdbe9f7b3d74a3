/** @module The firewall driver contract: bridge rules, NIC spoofing filters, routed NIC reverse-path filters. */
import type { BridgeFilterInput } from './nft-bridge-filter.js'
import type { NetworkFirewallInput } from './nft-network.js'

/** A NIC filter request without the driver's own naming (table). */
export type NicFilter = Omit<BridgeFilterInput, 'table'>

/** A managed bridge's rules without the driver's own naming (table). */
export type NetworkRules = Omit<NetworkFirewallInput, 'table'>

/** What the network and device code asks of the firewall; nftables and xtables implement it. */
export interface Firewall {
  /** `nftables` or `xtables`, as GET /1.0 reports it in `environment.firewall`. */
  readonly name: 'nftables' | 'xtables'
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
