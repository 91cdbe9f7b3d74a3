/** @module Root's subordinate id ranges from /etc/subuid and /etc/subgid. */
import { readFileSync } from 'node:fs'
import { pickRootRange, type IdRange } from '../instance/idmap.js'

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Root's uid and gid ranges, with LXD's fallback when none is configured. */
export function rootIdRanges(): { uids: IdRange; gids: IdRange } {
  return { uids: pickRootRange(read('/etc/subuid')), gids: pickRootRange(read('/etc/subgid')) }
}

/** Every range /etc/subuid (or /etc/subgid) delegates to root: what LXC's newuidmap lets it map. */
export function rootDelegations(kind: 'uid' | 'gid'): IdRange[] {
  const text = read(kind === 'uid' ? '/etc/subuid' : '/etc/subgid') ?? ''
  return text
    .split('\n')
    .map((l) => l.trim().split(':'))
    .filter(([user, start, size]) => (user === 'root' || user === '0') && start && size)
    .map(([, start, size]) => ({ start: Number(start), size: Number(size) }))
}
