/** @module Byte sizes as LXD writes them (`512MiB`, `2GB`, `1024`). */

const units: Record<string, number> = {
  '': 1,
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  EB: 1e18,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
  EiB: 2 ** 60,
}

/** Parses a size into bytes; throws on an unknown unit. */
export function parseSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(value.trim())
  const factor = m ? units[m[2] ?? ''] : undefined
  if (!m || factor === undefined) throw new Error(`Invalid value "${value}" (not a size)`)
  return Math.floor(Number(m[1]) * factor)
}

/** A memory limit in bytes: a size, or a percentage of the host's memory. */
export function memoryLimitBytes(value: string, hostBytes: number): number {
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(value.trim())
  return pct ? Math.floor((Number(pct[1]) / 100) * hostBytes) : parseSize(value)
}
