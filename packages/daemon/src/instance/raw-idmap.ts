/** @module raw.idmap: `uid|gid|both HOST NS` lines (ids or `a-b` ranges) punched into a container's map. */
import type { IdmapEntry } from './idmap.js'

/** One parsed raw.idmap line. */
export interface RawIdmapEntry {
  uid: boolean
  gid: boolean
  host: number
  ns: number
  size: number
}

function parseRange(text: string, line: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text)
  if (!m) throw new Error(`Invalid raw.idmap line "${line}": "${text}" is not an id or a range`)
  const first = Number(m[1])
  const last = m[2] === undefined ? first : Number(m[2])
  if (last < first || last > 4294967294)
    throw new Error(`Invalid raw.idmap line "${line}": bad range "${text}"`)
  return [first, last - first + 1]
}

/** Parses raw.idmap (LXD's syntax); throws with the offending line. */
export function parseRawIdmap(text: string): RawIdmapEntry[] {
  const out: RawIdmapEntry[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    const [kind = '', host = '', ns = host, extra] = line.split(/\s+/)
    if (extra !== undefined || !['uid', 'gid', 'both'].includes(kind) || host === '')
      throw new Error(`Invalid raw.idmap line "${line}" (expected "uid|gid|both HOST [NS]")`)
    const [h, hs] = parseRange(host, line)
    const [n, ns2] = parseRange(ns, line)
    if (hs !== ns2)
      throw new Error(`Invalid raw.idmap line "${line}": host and container ranges differ in size`)
    out.push({ uid: kind !== 'gid', gid: kind !== 'uid', host: h, ns: n, size: hs })
  }
  // Two lines may not map the same container id or the same host id twice (sorted: linear after the sort).
  for (const kind of ['uid', 'gid'] as const) {
    const mine = out.filter((e) => e[kind])
    for (const key of ['ns', 'host'] as const) {
      const sorted = [...mine].sort((x, y) => x[key] - y[key])
      for (let i = 1; i < sorted.length; i++)
        if (sorted[i]![key] < sorted[i - 1]![key] + sorted[i - 1]!.size)
          throw new Error('Invalid raw.idmap: two lines map the same ids')
    }
  }
  return out
}

/**
 * Punches raw entries into a map: the container ids they cover are cut out of the existing
 * entries and mapped to the given host ids. A host id inside the container's own range is
 * refused (it would be mapped twice, LXD's "host id is in the range of subids").
 */
export function applyRawIdmap(map: IdmapEntry[], raw: readonly RawIdmapEntry[]): IdmapEntry[] {
  let out = map.map((e) => ({ ...e }))
  for (const r of raw) {
    for (const isUid of [true, false]) {
      if (isUid ? !r.uid : !r.gid) continue
      const own = out.filter((e) => e.Isuid === isUid)
      if (own.some((e) => r.host < e.Hostid + e.Maprange && e.Hostid < r.host + r.size))
        throw new Error(`raw.idmap maps host id ${r.host} which is already in the container's range`)
      const next: IdmapEntry[] = []
      for (const e of out) {
        if (e.Isuid !== isUid || r.ns >= e.Nsid + e.Maprange || e.Nsid >= r.ns + r.size) {
          next.push(e)
          continue
        }
        if (r.ns > e.Nsid) next.push({ ...e, Maprange: r.ns - e.Nsid })
        const end = r.ns + r.size
        if (end < e.Nsid + e.Maprange)
          next.push({
            ...e,
            Nsid: end,
            Hostid: e.Hostid + (end - e.Nsid),
            Maprange: e.Nsid + e.Maprange - end,
          })
      }
      next.push({ Isuid: isUid, Isgid: !isUid, Hostid: r.host, Nsid: r.ns, Maprange: r.size })
      out = next
    }
  }
  return out.sort((a, b) => Number(b.Isuid) - Number(a.Isuid) || a.Nsid - b.Nsid)
}
