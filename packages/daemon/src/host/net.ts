/** @module Host networking through the seam: `ip -batch` writes, `ip -j` reads, sysctls and /sys/class/net. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { ipBatchText, type IpCommand } from './ip-command.js'
import type { CommandRunner } from './runner.js'

export { ipCmd, ipWords, type IpCommand } from './ip-command.js'

/** An interface name as Linux takes it: 1-15 bytes, no `/`, blank or `:`. */
const interfaceName = /^[A-Za-z0-9_.-]{1,15}$/

/** Names that are not one interface in /proc/sys/net/ipv{4,6}/conf/ (`all` and `default` set every one). */
const reservedNames = new Set(['.', '..', 'all', 'default'])

/** Throws unless `name` is an interface name; every /sys and /proc path below is built from one. */
export function checkInterfaceName(name: string): string {
  if (!interfaceName.test(name) || reservedNames.has(name))
    throw new Error(`Refusing ${JSON.stringify(name)} as an interface name`)
  return name
}

/** True when a network interface of that name exists. */
export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${checkInterfaceName(name)}`)
}

/** A file under /sys/class/net/<name>/ (`mtu`, `bridge/stp_state`), trimmed; undefined when absent. */
export function readLinkFile(name: string, file: string): string | undefined {
  if (!/^[a-z0-9_]+(\/[a-z0-9_]+)?$/.test(file)) throw new Error(`Refusing /sys path ${JSON.stringify(file)}`)
  const path = `/sys/class/net/${checkInterfaceName(name)}/${file}`
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return undefined
  }
}

/** The ports of a bridge (/sys/class/net/<name>/brif), sorted; [] when it is not a bridge. */
export function bridgePorts(name: string): string[] {
  const path = `/sys/class/net/${checkInterfaceName(name)}/brif`
  try {
    return readdirSync(path).sort()
  } catch {
    return []
  }
}

/** Runs `ip` commands as one batch; each command's words were checked where it was built. */
export async function ipBatch(host: CommandRunner, commands: readonly IpCommand[]): Promise<void> {
  if (commands.length === 0) return
  await host.run('ip', ['-batch', '-'], { input: ipBatchText(commands) })
}

/** Runs `ip -j ARGS` and parses its JSON. */
export async function ipJson<T>(host: CommandRunner, args: readonly string[]): Promise<T> {
  const { stdout } = await host.run('ip', ['-j', ...args])
  return JSON.parse(stdout || '[]') as T
}

/** A sysctl key (`net/ipv6/conf/br0/accept_ra`): words of names only, so it stays under /proc/sys. */
function sysctlPath(key: string): string {
  const parts = key.split('/')
  if (parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p) || p === '.' || p === '..'))
    throw new Error(`Refusing sysctl key ${JSON.stringify(key)}`)
  return `/proc/sys/${key}`
}

/** The interfaces with an IPv6 sysctl directory (`net/ipv6/conf/*`: every interface, `all` and `default`). */
export function ipv6ConfInterfaces(): string[] {
  try {
    return readdirSync('/proc/sys/net/ipv6/conf')
  } catch {
    return []
  }
}

/** Reads a sysctl (`net/ipv4/ip_forward`); undefined when it does not exist. */
export function sysctlGet(key: string): string | undefined {
  const path = sysctlPath(key)
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return undefined
  }
}

/** Writes a sysctl (`net/ipv6/conf/br0/accept_ra`). */
export function sysctlSet(key: string, value: string): void {
  if (!/^[0-9-]+$/.test(value)) throw new Error(`Refusing sysctl value ${JSON.stringify(value)}`)
  writeFileSync(sysctlPath(key), value)
}
