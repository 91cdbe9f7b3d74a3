/** @module The shared unprivileged idmap: root's subordinate id range, chosen as LXD chooses it. */

/** One idmap entry in LXD's volatile.idmap.* JSON shape. */
export interface IdmapEntry {
  Isuid: boolean
  Isgid: boolean
  Hostid: number
  Nsid: number
  Maprange: number
}

/** A host id range. */
export interface IdRange {
  start: number
  size: number
}

/** LXD's fallback when root has no subordinate range (no /etc/subuid or no root line). */
export const fallbackRange: IdRange = { start: 1_000_000, size: 1_000_000_000 }

/** Parses /etc/subuid-style text and returns root's first range of at least 65536 ids. */
export function pickRootRange(text: string | undefined): IdRange {
  for (const line of (text ?? '').split('\n')) {
    const [user, start, size] = line.trim().split(':')
    if ((user === 'root' || user === '0') && Number(size) >= 65536)
      return { start: Number(start), size: Number(size) }
  }
  return fallbackRange
}

/** The shared map: container ids 0.. map to the whole of root's uid and gid ranges, as LXD does. */
export function sharedIdmap(uids: IdRange, gids: IdRange): IdmapEntry[] {
  return [
    { Isuid: true, Isgid: false, Hostid: uids.start, Nsid: 0, Maprange: uids.size },
    { Isuid: false, Isgid: true, Hostid: gids.start, Nsid: 0, Maprange: gids.size },
  ]
}

/** The host uid of the container's root under a map (0 when privileged / no map). */
export function hostRootUid(map: IdmapEntry[]): number {
  return map.find((e) => e.Isuid && e.Nsid === 0)?.Hostid ?? 0
}

/** The host gid of the container's root under a map. */
export function hostRootGid(map: IdmapEntry[]): number {
  return map.find((e) => e.Isgid && e.Nsid === 0)?.Hostid ?? 0
}
