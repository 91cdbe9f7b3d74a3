/** @module System tier: setup steps several suites share (the busybox image, a quiet test bridge, a project's root disk). */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot, run } from './corrald.js'

/** Builds the busybox image into `dir` (busybox.tar.xz there); throws with the script's error. */
export function buildBusyboxImage(dir: string): string {
  const built = run('bash', [join(repoRoot, 'scripts/build-busybox-image.sh'), dir])
  if (built.status !== 0) throw new Error(`busybox image build failed: ${built.stderr}`)
  return join(dir, 'busybox.tar.xz')
}

/** The keys that keep a test bridge to itself: no NAT, and the host's routing sysctls left alone. */
export const quietBridge = ['ipv4.nat=false', 'ipv6.nat=false', 'ipv4.routing=false', 'ipv6.routing=false']

/** Anything that runs the stock client and fails the test unless it exits 0. */
type Must = (args: string[]) => string

/** Creates a managed bridge on 198.18.<octet>.1/24 (no IPv6) and puts an eth0 on it in the default profile of `project`. */
export function addTestBridge(must: Must, bridge: string, octet: number, project = 'default'): void {
  must([
    'network',
    'create',
    bridge,
    `ipv4.address=198.18.${octet}.1/24`,
    'ipv6.address=none',
    ...quietBridge,
  ])
  addBridgeNic(must, bridge, project)
}

/** Puts an eth0 on `bridge` in the default profile of `project`. */
export function addBridgeNic(must: Must, bridge: string, project = 'default'): void {
  must([
    'profile',
    'device',
    'add',
    'default',
    'eth0',
    'nic',
    `network=${bridge}`,
    'name=eth0',
    '--project',
    project,
  ])
}

/** Puts the root disk (pool `default`) in a project's own default profile (a restricted project has its own). */
export function addProjectRootDisk(must: Must, project: string): void {
  must([
    'profile',
    'device',
    'add',
    'default',
    'root',
    'disk',
    'path=/',
    'pool=default',
    '--project',
    project,
  ])
}

/** Creates restricted project `project` with the `key=value` pairs in `config` and gives it the root disk. */
export function addRestrictedProject(must: Must, project: string, config: string[]): void {
  must(['project', 'create', project, '-c', 'restricted=true', ...config.flatMap((kv) => ['-c', kv])])
  addProjectRootDisk(must, project)
}

/** Why btrfs pools cannot be made here (no mkfs.btrfs, or no btrfs in the kernel), or undefined. */
export function btrfsSkipReason(): string | undefined {
  if (run('which', ['mkfs.btrfs']).status !== 0)
    return 'mkfs.btrfs is missing (scripts/install-deps.sh installs btrfs-progs)'
  if (!readFileSync('/proc/filesystems', 'utf8').includes('btrfs'))
    return 'the kernel has no btrfs filesystem'
  return undefined
}

/** Runs `script` with sh inside instance `name`; returns its stdout. */
export function shellIn(must: Must, name: string, script: string): string {
  return must(['exec', name, '--', 'sh', '-c', script])
}

/** Sends `body` as JSON with `lxc query --wait -X <method>` and fails the test unless it succeeds; returns stdout. */
export function queryWait(must: Must, method: string, path: string, body: unknown): string {
  return must(['query', '--wait', '-X', method, path, '--data', JSON.stringify(body)])
}

/** Why pylxd cannot be driven here (Debian's python3-pylxd missing), or undefined. */
export function pylxdSkipReason(): string | undefined {
  return run('/usr/bin/python3', ['-c', 'import pylxd']).status === 0
    ? undefined
    : 'python3-pylxd is not installed (scripts/install-deps.sh installs it)'
}
