/**
 * @module Host facts the security audit reads: who can open the unix socket, whether the host
 * takes router advertisements on a bridge, and which security updates apt's lists offer.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { sysctlGet } from './net.js'
import type { CommandRunner } from './runner.js'

/** Who may open the daemon's unix socket besides root. */
export interface SocketAccess {
  /** The socket's group, by name (its gid when it has none). */
  group: string
  /** Permission bits of the socket file. */
  mode: number
  /** Users of that group: listed in /etc/group, or having it as their primary group. */
  members: { user: string; primary: boolean }[]
}

function readLines(path: string): string[][] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
  } catch {
    return []
  }
}

/** The socket's group and who is in it; undefined when the socket is missing. */
export function socketAccess(path: string): SocketAccess | undefined {
  let st: { gid: number; mode: number }
  try {
    st = statSync(path)
  } catch {
    return undefined
  }
  const groupLine = readLines('/etc/group').find((f) => f.length >= 4 && Number(f[2]) === st.gid)
  const listed = (groupLine?.[3] ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
  const primary = readLines('/etc/passwd')
    .filter((f) => f.length >= 4 && Number(f[3]) === st.gid)
    .map((f) => f[0]!)
  const members = [
    ...primary.map((user) => ({ user, primary: true })),
    ...listed.filter((u) => !primary.includes(u)).map((user) => ({ user, primary: false })),
  ].filter((m) => m.user !== 'root')
  return { group: groupLine?.[0] ?? String(st.gid), mode: st.mode & 0o777, members }
}

/**
 * Whether the host installs routes from router advertisements heard on a link: IPv6 on,
 * and `accept_ra` 2, or 1 while the link does not forward. Undefined when the link is absent.
 */
export function acceptsRouterAdvertisements(link: string): boolean | undefined {
  const disabled = sysctlGet(`net/ipv6/conf/${link}/disable_ipv6`)
  if (disabled === undefined) return undefined
  if (disabled === '1') return false
  const acceptRa = sysctlGet(`net/ipv6/conf/${link}/accept_ra`)
  if (acceptRa === '2') return true
  return acceptRa === '1' && sysctlGet(`net/ipv6/conf/${link}/forwarding`) !== '1'
}

/** apt's downloaded lists of security suites, as found on disk. */
export interface AptSecurityLists {
  /** The list files of security suites (Release files and package indexes). */
  files: string[]
  /** Changes whenever those lists or the installed packages change. */
  signature: string
  /** When the newest security list was downloaded (ISO time); '' when there is none. */
  fetchedAt: string
}

const releaseSuffix = /_(In)?Release$/

/** True for the header of a security suite's Release file (Debian's `-security`, Ubuntu's too). */
function isSecurityRelease(text: string): boolean {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? ''
  return (
    /-security$|\/updates$/.test(field('Suite')) ||
    /-security$/.test(field('Codename')) ||
    /security/i.test(field('Label'))
  )
}

/** The security suites' lists in apt's lists directory; undefined when there is no apt here. */
export function aptSecurityLists(
  listsDir = '/var/lib/apt/lists',
  dpkgStatus = '/var/lib/dpkg/status',
): AptSecurityLists | undefined {
  let names: string[]
  try {
    names = readdirSync(listsDir)
  } catch {
    return undefined
  }
  const prefixes = names
    .filter((n) => releaseSuffix.test(n))
    .filter((n) => {
      try {
        return isSecurityRelease(readFileSync(join(listsDir, n), 'utf8').slice(0, 4096))
      } catch {
        return false
      }
    })
    .map((n) => n.replace(releaseSuffix, '_'))
  const files = names.filter((n) => prefixes.some((p) => n.startsWith(p))).map((n) => join(listsDir, n))
  const stamp = (p: string) => {
    try {
      const st = statSync(p)
      return { p, t: st.mtimeMs, s: st.size }
    } catch {
      return { p, t: 0, s: 0 }
    }
  }
  const stamps = [...files, dpkgStatus].map(stamp)
  const newest = Math.max(0, ...stamps.slice(0, files.length).map((s) => s.t))
  return {
    files,
    signature: JSON.stringify(stamps),
    fetchedAt: newest > 0 ? new Date(newest).toISOString() : '',
  }
}

/**
 * The packages with a pending update from a security suite: apt's own simulation (`-s`, no
 * download, no lock, no cache or log written outside `workDir`), shown only the security lists
 * so it reads a few hundred kilobytes rather than the whole archive.
 */
export async function pendingSecurityUpdates(
  host: CommandRunner,
  lists: AptSecurityLists,
  workDir: string,
): Promise<string[]> {
  if (lists.files.length === 0) return []
  rmSync(workDir, { recursive: true, force: true })
  const listsDir = join(workDir, 'lists')
  mkdirSync(join(listsDir, 'partial'), { recursive: true, mode: 0o700 })
  mkdirSync(join(workDir, 'log'), { mode: 0o700 })
  for (const f of lists.files) symlinkSync(f, join(listsDir, f.slice(f.lastIndexOf('/') + 1)))
  try {
    const { stdout } = await host.run(
      'apt-get',
      [
        '-s',
        '-qq',
        '-o',
        `Dir::State::Lists=${listsDir}`,
        '-o',
        `Dir::Log=${join(workDir, 'log')}`,
        '-o',
        'Debug::NoLocking=1',
        '-o',
        'Dir::Cache::pkgcache=',
        '-o',
        'Dir::Cache::srcpkgcache=',
        'dist-upgrade',
      ],
      { timeoutMs: 30_000 },
    )
    return [...stdout.matchAll(/^Inst (\S+)/gm)].map((m) => m[1]!).sort()
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
}
