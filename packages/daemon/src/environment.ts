/** @module The host facts reported in GET /1.0 `environment`, gathered once at start. */
import { readFileSync } from 'node:fs'
import { arch, hostname, release as kernelRelease, type } from 'node:os'
import type { ServerEnvironment } from '@corral/api'
import type { CommandRunner } from './host/runner.js'
import { release } from './version.js'

function osRelease(): Record<string, string> {
  try {
    const text = readFileSync('/etc/os-release', 'utf8')
    return Object.fromEntries(
      text
        .split('\n')
        .map((l) => /^(\w+)=(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')]),
    )
  } catch {
    return {}
  }
}

const architectures: Record<string, string[]> = {
  x64: ['x86_64', 'i686'],
  arm64: ['aarch64', 'armv7l'],
  arm: ['armv7l'],
  ppc64: ['ppc64le'],
  s390x: ['s390x'],
}

async function lxcVersion(runner: CommandRunner): Promise<string> {
  try {
    return (await runner.run('lxc-start', ['--version'])).stdout.trim()
  } catch {
    return ''
  }
}

/** Gathers the environment block (project is filled per request). */
export async function gatherEnvironment(runner: CommandRunner, firewall: string): Promise<ServerEnvironment> {
  const os = osRelease()
  const archs = architectures[arch()] ?? [arch()]
  return {
    addresses: [],
    architectures: archs,
    certificate: '',
    certificate_fingerprint: '',
    driver: 'lxc',
    driver_version: await lxcVersion(runner),
    firewall,
    kernel: type(),
    kernel_architecture: archs[0] ?? arch(),
    kernel_features: {},
    kernel_version: kernelRelease(),
    lxc_features: {},
    os_name: os.NAME ?? 'Linux',
    os_version: os.VERSION_ID ?? '',
    project: 'default',
    server: 'corral',
    server_clustered: false,
    server_event_mode: 'full-mesh',
    server_name: hostname(),
    server_pid: process.pid,
    server_version: release.version,
    server_lts: release.kind === 'lts',
    server_support_end: release.supportEnd,
    storage: '',
    storage_version: '',
    storage_supported_drivers: [],
  }
}
