/** @module Chooses the firewall driver as LXD does, unless the operator forces one. */
import { spawnSync } from 'node:child_process'
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

/** True when `cmd args` runs and exits 0. */
const works = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0

/**
 * The firewall for this daemon: the forced one, else the one its rules already use (a restart
 * keeps its driver), else nftables when `nft` works, else xtables.
 */
export function selectFirewall(host: CommandRunner, stateDir: string, forced?: FirewallName): Firewall {
  const table = firewallTable(stateDir)
  const make = (name: FirewallName) =>
    name === 'nftables' ? nftablesFirewall(host, table) : xtablesFirewall(host, table)
  if (forced) return make(forced)
  const xtablesInUse = ['iptables', 'ip6tables'].some((tool) => {
    const r = spawnSync(tool, ['-w', '-S'], { encoding: 'utf8' })
    return r.status === 0 && r.stdout.includes(`corral.${table}.`)
  })
  if (xtablesInUse) return make('xtables')
  return make(works('nft', ['list', 'tables']) ? 'nftables' : 'xtables')
}
