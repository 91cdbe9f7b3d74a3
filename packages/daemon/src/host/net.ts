/** @module Host networking through the seam: `ip -batch` writes, `ip -j` reads, sysctls. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { CommandRunner } from './runner.js'

/** True when a network interface of that name exists. */
export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`)
}

/** Runs `ip` commands (one per line, without the leading `ip`) as one batch. */
export async function ipBatch(host: CommandRunner, commands: readonly string[]): Promise<void> {
  if (commands.length === 0) return
  await host.run('ip', ['-batch', '-'], { input: `${commands.join('\n')}\n` })
}

/** Runs `ip -j ARGS` and parses its JSON. */
export async function ipJson<T>(host: CommandRunner, args: readonly string[]): Promise<T> {
  const { stdout } = await host.run('ip', ['-j', ...args])
  return JSON.parse(stdout || '[]') as T
}

/** Reads a sysctl (`net/ipv4/ip_forward`); undefined when it does not exist. */
export function sysctlGet(key: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${key}`, 'utf8').trim()
  } catch {
    return undefined
  }
}

/** Writes a sysctl (`net/ipv6/conf/br0/accept_ra`). */
export function sysctlSet(key: string, value: string): void {
  writeFileSync(`/proc/sys/${key}`, value)
}
