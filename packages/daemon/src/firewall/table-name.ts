/** @module The per-daemon nftables table name. */
import { createHash } from 'node:crypto'

/** `corral` for the default state directory, else `corral_<hash>`: two daemons never share a table. */
export function firewallTable(stateDir: string): string {
  if (stateDir === '/var/lib/corral') return 'corral'
  return `corral_${createHash('sha256').update(stateDir).digest('hex').slice(0, 8)}`
}
