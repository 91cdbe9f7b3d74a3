/** @module System tier: a forward guard so test containers' traffic can never leave the machine. */
import { spawnSync } from 'node:child_process'

/**
 * Adds an nft table dropping forwarded packets that enter on a test interface (`crt*`) and would
 * leave on any other: whatever a container sends stays between the test's own interfaces.
 * Returns the function that removes it.
 */
export function addForwardGuard(name: string): () => void {
  const table = `crtguard_${name}`
  const script = [
    `add table inet ${table}`,
    `add chain inet ${table} guard { type filter hook forward priority -200; policy accept; }`,
    `add rule inet ${table} guard iifname "crt*" oifname != "crt*" drop`,
    '',
  ].join('\n')
  const r = spawnSync('nft', ['-f', '-'], { input: script, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`nft guard: ${r.stderr}`)
  return () => void spawnSync('nft', ['delete', 'table', 'inet', table])
}
