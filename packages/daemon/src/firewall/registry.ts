/** @module THE list of firewall drivers, and the choice among them as LXD makes it (unless the operator forces one). */
import type { CommandRunner } from '../host/runner.js'
import type { Firewall, FirewallDriver } from './firewall.js'
import { nftablesDriver } from './nftables/driver.js'
import { firewallTable } from './table-name.js'
import { xtablesDriver } from './xtables/driver.js'

/** Every firewall driver, most preferred first; a new driver adds one line. */
export const firewallDrivers: readonly FirewallDriver[] = [nftablesDriver, xtablesDriver]

/** The names `--firewall` accepts, `auto` first. */
export const firewallChoices = ['auto', ...firewallDrivers.map((d) => d.name)]

/** Reads a forced driver name; undefined for auto, an error for anything else. */
export function parseFirewallName(value: string | undefined): string | undefined {
  if (!value || value === 'auto') return undefined
  if (firewallDrivers.some((d) => d.name === value)) return value
  throw new Error(`Unknown firewall driver "${value}" (use ${firewallChoices.join(', ')})`)
}

/**
 * The firewall for this daemon, as LXD chooses: the forced one; else the one its rules already
 * use (a restart keeps its driver); else the first that works here; else the last one.
 */
export async function selectFirewall(
  host: CommandRunner,
  stateDir: string,
  forced?: string,
): Promise<Firewall> {
  const table = firewallTable(stateDir)
  const named = forced ? firewallDrivers.find((d) => d.name === forced) : undefined
  if (forced && !named) throw new Error(`Unknown firewall driver "${forced}"`)
  if (named) return named.create(host, table)
  for (const d of firewallDrivers) if (await d.inUse(host, table)) return d.create(host, table)
  for (const d of firewallDrivers) if (await d.works(host)) return d.create(host, table)
  return firewallDrivers[firewallDrivers.length - 1]!.create(host, table)
}
