/** @module Parses dnsmasq's lease file (IPv4 lines, then IPv6 lines after the `duid` line). */

/** One dynamic lease. */
export interface Lease {
  /** Unix seconds; 0 for an infinite lease. */
  expiry: number
  hwaddr: string
  address: string
  hostname: string
  family: 4 | 6
}

/** The leases in a lease file's text; malformed lines are skipped. */
export function parseLeases(text: string): Lease[] {
  const out: Lease[] = []
  let family: 4 | 6 = 4
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f[0] === 'duid') {
      family = 6
      continue
    }
    if (f.length < 4 || !/^\d+$/.test(f[0]!)) continue
    const hostname = f[3] === '*' ? '' : f[3]!
    // IPv6 lines carry the IAID where IPv4 lines carry the MAC; the MAC is unknown there.
    out.push({ expiry: Number(f[0]), hwaddr: family === 4 ? f[1]! : '', address: f[2]!, hostname, family })
  }
  return out
}
