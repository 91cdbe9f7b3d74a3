/** @module Whether LXC, as root, can give a new user namespace root's id ranges: the check LXC's own start makes. */
import { once } from 'node:events'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { IdRange } from '../instance/idmap.js'
import type { CommandRunner } from './runner.js'

/** How LXC writes a container's maps, and whether that works for the ranges probed. */
export type IdmapProbe =
  | { ok: true; method: 'newuidmap' | 'direct' }
  | { ok: false; method: 'newuidmap'; kind: 'uid' | 'gid'; error: string }

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/**
 * LXC uses newuidmap/newgidmap whenever both are installed, even as root, and they refuse a
 * range that /etc/subuid or /etc/subgid does not give root. So the probe does what LXC does:
 * it makes a user namespace and maps the ranges into it with those tools. Without them LXC
 * writes the maps itself, which root may always do.
 */
export async function probeIdmap(host: CommandRunner, uids: IdRange, gids: IdRange): Promise<IdmapProbe> {
  if (!onPath('newuidmap') || !onPath('newgidmap')) return { ok: true, method: 'direct' }
  // "ready" is printed after unshare(CLONE_NEWUSER), so the maps go to the new namespace.
  const child = host.spawn('unshare', ['--user', '--', 'sh', '-c', 'echo ready && exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  })
  try {
    const [first] = (await Promise.race([once(child.stdout!, 'data'), once(child, 'exit')])) as unknown[]
    if (!Buffer.isBuffer(first)) throw new Error('unshare --user failed')
    const pid = String(child.pid)
    for (const [kind, tool, range] of [
      ['uid', 'newuidmap', uids],
      ['gid', 'newgidmap', gids],
    ] as const) {
      try {
        await host.run(tool, [pid, '0', String(range.start), String(range.size)], { timeoutMs: 10_000 })
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err)
        return { ok: false, method: 'newuidmap', kind, error: text.slice(text.indexOf(': ') + 2) }
      }
    }
    return { ok: true, method: 'newuidmap' }
  } finally {
    child.stdin?.end()
    if (child.exitCode === null) child.kill()
  }
}
