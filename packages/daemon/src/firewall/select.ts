/** @module Chooses the firewall driver as LXD does, unless the operator forces one. */
import type { CommandRunner } from '../host/runner.js'
import type { Firewall } from './firewall.js'
import { nftablesFirewall } from './nftables.js'
import { firewallTable } from './table-name.js'
import { xtablesFirewall } from './xtables.js'

/** The driver names an operator may force. */
export type FirewallName = 'nftables' | 'xtables'

/** Reads a forced driver name; undefined for auto, an error for anything else. */
export function parseFirewallName(value: string | undefined): FirewallName | undefined {
  if (!value || value === 'auto') return undefined
  if (value === 'nftables' || value === 'xtables') return value
  throw new Error(`Unknown firewall driver "${value}" (use nftables, xtables or auto)`)
}

/** The command's output, or undefined when it cannot run or fails. */
const output = (host: CommandRunner, cmd: string, args: string[]) =>
  host.run(cmd, args).then(
    (r) => r.stdout,
    () => undefined,
  )

/**
 * The firewall for this daemon: the forced one, else the one its rules already use (a restart
 * keeps its driver), else nftables when `nft` works, else xtables.
 */
export async function selectFirewall(
  host: CommandRunner,
  stateDir: string,
  forced?: FirewallName,
): Promise<Firewall> {
  const table = firewallTable(stateDir)
  const make = (name: FirewallName) =>
    name === 'nftables' ? nftablesFirewall(host, table) : xtablesFirewall(host, table)
  if (forced) return make(forced)
  for (const tool of ['iptables', 'ip6tables']) {
    if ((await output(host, tool, ['-w', '-S']))?.includes(`corral.${table}.`)) return make('xtables')
  }
  return make((await output(host, 'nft', ['list', 'tables'])) !== undefined ? 'nftables' : 'xtables')
}
