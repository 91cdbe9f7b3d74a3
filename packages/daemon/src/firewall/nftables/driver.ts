/** @module The nftables firewall driver: per-daemon `inet` and `bridge` tables, one `nft -f` per change. */
import type { CommandRunner } from '../../host/runner.js'
import type { Firewall, FirewallDriver } from '../firewall.js'
import { networkRemoveScript, networkRulesScript } from './network-rules.js'
import { bridgeFilterRemoveScript, bridgeFilterScript } from './nic-filter-rules.js'
import { routedFilterRemoveScript, routedFilterScript } from './routed-rules.js'

/** The table a `chain` line of `nft list chains` belongs to (the nearest `table` line above it). */
function ownerOf(lines: string[], index: number): string | undefined {
  for (let i = index; i >= 0; i--) {
    const m = /^table \S+ (\S+) \{/.exec(lines[i]!)
    if (m) return m[1]
  }
  return undefined
}

/** Builds the nftables firewall over the host seam, with this daemon's table name. */
function nftablesFirewall(host: CommandRunner, table: string): Firewall {
  const apply = (script: string) => host.run('nft', ['-f', '-'], { input: script })
  /** Deletes a table of the family when no chain is left in it (listing chains only, not rules). */
  const dropIfEmpty = async (family: 'inet' | 'bridge') => {
    const listed = await host.run('nft', ['list', 'chains', family]).catch(() => undefined)
    if (!listed) return
    const inTable = listed.stdout
      .split('\n')
      .some((l, i, all) => /^\s*chain /.test(l) && ownerOf(all, i) === table)
    const exists = listed.stdout.includes(`table ${family} ${table} {`)
    // Two removals may race to the last chain: the table being gone already is the goal.
    if (exists && !inTable) await host.run('nft', ['delete', 'table', family, table]).catch(() => undefined)
  }
  return {
    name: 'nftables',
    networkApply: async (rules) => void (await apply(networkRulesScript({ table, ...rules }))),
    async networkRemove(bridge) {
      await apply(networkRemoveScript(table, bridge))
      await dropIfEmpty('inet')
    },
    nicFilterApply: async (filter) => void (await apply(bridgeFilterScript({ table, ...filter }))),
    async nicFilterRemove(label) {
      await apply(bridgeFilterRemoveScript(table, label))
      await dropIfEmpty('bridge')
    },
    routedApply: async (hostName) => void (await apply(routedFilterScript(table, hostName))),
    async routedRemove(hostName) {
      await apply(routedFilterRemoveScript(table, hostName))
      await dropIfEmpty('inet')
    },
  }
}

/** The nftables driver: LXD's first choice where `nft` works. */
export const nftablesDriver: FirewallDriver = {
  name: 'nftables',
  short: 'per-daemon inet and bridge tables applied with nft -f (no br_netfilter needed)',
  async inUse(host, table) {
    const listed = await host.run('nft', ['list', 'tables']).catch(() => undefined)
    return !!listed && new RegExp(`^table (inet|bridge) ${table}$`, 'm').test(listed.stdout)
  },
  works: (host) =>
    host.run('nft', ['list', 'tables']).then(
      () => true,
      () => false,
    ),
  create: nftablesFirewall,
}
