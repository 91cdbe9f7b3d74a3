/** @module Durations as LXD writes them (`15d`, `4h`, `30M` minutes, `1S` seconds). */

const units: Record<string, number> = {
  S: 1000,
  s: 1000,
  M: 60_000,
  m: 60_000,
  min: 60_000,
  H: 3_600_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
}

/** Parses `<n><unit>` pairs (`1d 12h`) into milliseconds; throws on anything else. */
export function parseDuration(value: string): number {
  let total = 0
  const re = /\s*(\d+)\s*([A-Za-z]+)\s*/gy
  let matched = 0
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const unit = units[m[2]!]
    if (unit === undefined) throw new Error(`Invalid duration unit "${m[2]}"`)
    total += Number(m[1]) * unit
    matched = re.lastIndex
  }
  if (matched !== value.length || value.trim() === '') throw new Error(`Invalid duration "${value}"`)
  return total
}
