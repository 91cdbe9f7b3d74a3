/** @module Isolated idmaps: a host id range of its own per container, allocated first-fit as LXD does. */
import { badRequest } from '@corral/api'
import { isTrue } from '../config/validate.js'
import { listInstances, type InstanceRecord } from '../db/instances.js'
import { rootDelegations, rootIdRanges } from '../host/subid.js'
import type { State } from '../state.js'
import { projectPrivilege } from './privilege-policy.js'
import { sharedIdmap, type IdmapEntry, type IdRange } from './idmap.js'
import { applyRawIdmap, parseRawIdmap } from './raw-idmap.js'

/** A host id range taken by an isolated container. */
export interface TakenRange {
  base: number
  size: number
}

/** The default size of an isolated map (LXD's). */
export const defaultIsolatedSize = 65536

/**
 * First fit of `size` ids in `sub` above its first 65536 ids (left to the shared map's root),
 * avoiding `taken`; undefined when nothing fits.
 */
export function firstFit(sub: IdRange, taken: readonly TakenRange[], size: number): number | undefined {
  let offset = sub.start + defaultIsolatedSize
  for (const t of [...taken].sort((a, b) => a.base - b.base)) {
    if (offset + size <= t.base) break
    offset = Math.max(offset, t.base + t.size)
  }
  return offset + size <= sub.start + sub.size ? offset : undefined
}

/** Ranges handed out to creates that have not written their row yet (allocation is synchronous). */
const reserved = new Map<string, TakenRange>()

/** Holds a range for an instance being created until release() (its row then carries it). */
export function reserveRange(key: string, range: TakenRange): void {
  reserved.set(key, range)
}

/** Drops a reservation. */
export function releaseRange(key: string): void {
  reserved.delete(key)
}

/** The map of one id range for both uids and gids. */
function rangeMap(base: number, size: number): IdmapEntry[] {
  return [
    { Isuid: true, Isgid: false, Hostid: base, Nsid: 0, Maprange: size },
    { Isuid: false, Isgid: true, Hostid: base, Nsid: 0, Maprange: size },
  ]
}

/** The map with the config's raw.idmap punched in (400 when it cannot be). */
function withRaw(map: IdmapEntry[], config: Record<string, string>): IdmapEntry[] {
  if (!config['raw.idmap']) return map
  let raw
  try {
    raw = parseRawIdmap(config['raw.idmap'])
  } catch (err) {
    throw badRequest(err instanceof Error ? err.message : String(err))
  }
  // LXC maps through newuidmap/newgidmap, which only allow ids delegated to root.
  for (const r of raw) {
    for (const kind of ['uid', 'gid'] as const) {
      if (!r[kind]) continue
      const ok = rootDelegations(kind).some((d) => r.host >= d.start && r.host + r.size <= d.start + d.size)
      if (!ok)
        throw badRequest(
          `raw.idmap: host ${kind} ${r.host}${r.size > 1 ? `-${r.host + r.size - 1}` : ''} is not delegated to root in /etc/sub${kind} (add "root:${r.host}:${r.size}")`,
        )
    }
  }
  try {
    return applyRawIdmap(map, raw)
  } catch (err) {
    throw badRequest(err instanceof Error ? err.message : String(err))
  }
}

/** What the allocation looks at for one container. */
export interface IdmapSubject {
  project: string
  name: string
  /** The expanded config (profiles applied). */
  expanded: Record<string, string>
  /** The instance's own volatile keys (its current base, if any). */
  volatile: Record<string, string>
}

/**
 * The map a container gets: none when privileged, the shared map by default, and with
 * `security.idmap.isolated` a range of `security.idmap.size` ids at `security.idmap.base`, or
 * its current range when that still fits, or the first free range. `expandedOf` gives the
 * other containers' expanded configs.
 */
export function allocateIdmap(
  state: State,
  subject: IdmapSubject,
  expandedOf: (i: InstanceRecord) => Record<string, string>,
): { map: IdmapEntry[]; base: number } {
  const c = subject.expanded
  if (isTrue(c['security.privileged'])) return { map: [], base: 0 }
  const { uids, gids } = rootIdRanges()
  // A project restricted to isolated containers forces the map, set or not.
  const isolated =
    isTrue(c['security.idmap.isolated']) || projectPrivilege(state, subject.project) === 'isolated'
  if (!isolated) return { map: withRaw(sharedIdmap(uids, gids), c), base: 0 }
  const size = Number(c['security.idmap.size'] || defaultIsolatedSize)
  const pinned = c['security.idmap.base']
  if (pinned) {
    const base = Number(pinned)
    if (base < uids.start || base + size > uids.start + uids.size)
      throw badRequest(
        `security.idmap.base ${base} with size ${size} is outside root's subordinate range ${uids.start}-${uids.start + uids.size - 1}`,
      )
    return { map: withRaw(rangeMap(base, size), c), base }
  }
  const self = `${subject.project}/${subject.name}`
  const taken: TakenRange[] = [...reserved].filter(([k]) => k !== self).map(([, r]) => r)
  for (const i of listInstances(state.db, undefined)) {
    if (i.project === subject.project && i.name === subject.name) continue
    const base = Number(i.config['volatile.idmap.base'] || 0)
    if (base === 0) continue
    const other = expandedOf(i)
    if (isTrue(other['security.privileged'])) continue
    taken.push({ base, size: Number(other['security.idmap.size'] || defaultIsolatedSize) })
  }
  // Keep the current range when it still fits: a container's files follow its map.
  const current = Number(subject.volatile['volatile.idmap.base'] || 0)
  const fits = (base: number) =>
    base >= uids.start + defaultIsolatedSize &&
    base + size <= uids.start + uids.size &&
    !taken.some((t) => base < t.base + t.size && t.base < base + size)
  const base = current > 0 && fits(current) ? current : firstFit(uids, taken, size)
  if (base === undefined) throw badRequest('Not enough uid/gid available for the container')
  return { map: withRaw(rangeMap(base, size), c), base }
}

/** The idmap an instance runs with: the one allocated for it, else none when privileged, else the shared map. */
export function idmapOf(config: Record<string, string>): IdmapEntry[] {
  const stored = config['volatile.idmap.next']
  if (stored) return JSON.parse(stored) as IdmapEntry[]
  if (isTrue(config['security.privileged'])) return []
  const { uids, gids } = rootIdRanges()
  return sharedIdmap(uids, gids)
}
