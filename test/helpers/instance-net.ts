/** @module System tier: polling and reading instance addresses, shared by the network suites. */
import { setTimeout as sleep } from 'node:timers/promises'
import type { LxcSession } from './lxc-session.js'

/** Polls `check` until it returns a value, or fails after `ms`. */
export async function until<T>(what: string, check: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = check()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(250)
  }
}

/** An instance's global address of the family on an interface, from GET state (undefined until it has one). */
export function instanceAddress(
  s: LxcSession,
  name: string,
  family: 'inet' | 'inet6',
  iface = 'eth0',
): string | undefined {
  const st = JSON.parse(s.must(['query', `/1.0/instances/${name}/state`])) as {
    network: Record<string, { addresses: { family: string; address: string; scope: string }[] }> | null
  }
  return st.network?.[iface]?.addresses.find((a) => a.family === family && a.scope === 'global')?.address
}
