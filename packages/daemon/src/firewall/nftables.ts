/** @module The nftables firewall driver: per-daemon `inet` and `bridge` tables, one `nft -f` per change. */
import type { CommandRunner } from '../host/runner.js'
import type { Firewall } from './firewall.js'
import { bridgeFilterRemoveScript, bridgeFilterScript } from './nft-bridge-filter.js'
import { networkRemoveScript, networkRulesScript } from './nft-network.js'
import { routedFilterRemoveScript, routedFilterScript } from './nft-routed.js'

/** The table a `chain` line of `nft list chains` belongs to (the nearest `table` line above it). */
function ownerOf(lines: string[], index: number): string | undefined {
  for (let i = index; i >= 0; i--) {
    const m = /^table \S+ (\S+) \{/.exec(lines[i]!)
    if (m) return m[1]
  }
  return undefined
}

/** Builds the nftables driver over the host seam, with this daemon's table name. */
export function nftablesFirewall(host: CommandRunner, table: string): Firewall {
  const apply = (script: string) => host.run('nft', ['-f', '-'], { input: script })
  /** Deletes a table of the family when no chain is left in it (listing chains only, not rules). */
  const dropIfEmpty = async (family: 'inet' | 'bridge') => {
    const listed = await host.run('nft', ['list', 'chains', family]).catch(() => undefined)
    if (!listed) return
    const inTable = listed.stdout
      .split('\n')
      .some((l, i, all) => /^\s*chain /.test(l) && ownerOf(all, i) === table)
    const exists = listed.stdout.includes(`table ${family} ${table} {`)
    if (exists && !inTable) await host.run('nft', ['delete', 'table', family, table])
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
