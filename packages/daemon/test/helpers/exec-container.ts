/** @module A real busybox LXC container for the exec and file tests, made by hand (no instance lifecycle). */
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { removeStaleCgroups } from '../../src/host/cgroups.js'
import { cgroupPrefix } from '../../src/instance/lxc/cgroup-prefix.js'

/** A started test container. */
export interface TestContainer {
  name: string
  lxcpath: string
  /** The rootfs on the host (on-disk ids are the container's own: idmapped mount). */
  rootfs: string
  /** Force-stops the container and removes its directory and cgroups; safe to call twice. */
  destroy(): void
}

/** Prefix of cgroups older versions of this helper made; leftovers of dead processes are swept. */
const prefixBase = 'corral-exec-test-'

/** Why the container tests cannot run here, or undefined when they can. */
export function containerSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to start an LXC container'
  for (const bin of ['/bin/busybox', '/usr/bin/lxc-start']) if (!existsSync(bin)) return `${bin} is missing`
  return undefined
}

function rmdirTree(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmdirTree(join(dir, e.name))
  try {
    rmdirSync(dir)
  } catch {
    // busy: still in use
  }
}

/** Removes cgroups named with our prefix whose test process is gone (or ours, after a stop). */
export function sweepCgroups(includeOwn = false): void {
  const root = '/sys/fs/cgroup'
  if (!existsSync(root)) return
  const hierarchies = readdirSync(root).map((h) => join(root, h))
  for (const dir of [root, ...hierarchies]) {
    let entries: string[]
    try {
      entries = readdirSync(dir)
    } catch {
      continue
    }
    for (const e of entries) {
      const m = new RegExp(`^${prefixBase}(\\d+)\\.`).exec(e)
      if (!m) continue
      const pid = Number(m[1])
      if (pid === process.pid ? !includeOwn : existsSync(`/proc/${pid}`)) continue
      rmdirTree(join(dir, e))
    }
  }
}

function buildRootfs(rootfs: string): void {
  for (const d of [
    'bin',
    'sbin',
    'usr/bin',
    'usr/sbin',
    'etc',
    'dev',
    'proc',
    'sys',
    'tmp',
    'root',
    'home/user1',
    'run',
  ]) {
    mkdirSync(join(rootfs, d), { recursive: true })
  }
  execFileSync('cp', ['/bin/busybox', join(rootfs, 'bin/busybox')])
  const applets = execFileSync('/bin/busybox', ['--list-full'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
  for (const a of applets) {
    const p = join(rootfs, a)
    if (!existsSync(p)) symlinkSync('/bin/busybox', p)
  }
  writeFileSync(
    join(rootfs, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nuser1:x:1000:1000::/home/user1:/bin/sh\n',
  )
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nuser1:x:1000:\n')
  writeFileSync(join(rootfs, 'etc/inittab'), '::sysinit:/bin/true\n::shutdown:/bin/sync\n')
  writeFileSync(join(rootfs, 'etc/shadow'), 'container-shadow\n', { mode: 0o600 })
  execFileSync('chown', ['1000:1000', join(rootfs, 'home/user1')])
  chmodSync(join(rootfs, 'tmp'), 0o1777)
}

/** The first host id of root's subordinate range (newuidmap maps nothing else), LXD's fallback otherwise. */
function rootRange(file: string): number {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('root:') && Number(l.split(':')[2]) >= 65536)
  return Number(line?.split(':')[1] ?? 1000000)
}

function lxcConfig(name: string, lxcpath: string): string {
  const dir = join(lxcpath, name)
  return [
    'lxc.include = /usr/share/lxc/config/common.conf',
    'lxc.include = /usr/share/lxc/config/userns.conf',
    'lxc.arch = x86_64',
    `lxc.uts.name = ${name}`,
    `lxc.rootfs.path = dir:${join(dir, 'rootfs')}`,
    'lxc.rootfs.options = idmap=container',
    `lxc.idmap = u 0 ${rootRange('/etc/subuid')} 65536`,
    `lxc.idmap = g 0 ${rootRange('/etc/subgid')} 65536`,
    'lxc.apparmor.profile = unconfined',
    // The daemon's own naming, so it finds this container as it finds those it starts.
    `lxc.cgroup.dir.monitor = ${cgroupPrefix(dirname(lxcpath))}.monitor.${name}`,
    `lxc.cgroup.dir.container = ${cgroupPrefix(dirname(lxcpath))}.payload.${name}`,
    'lxc.net.0.type = empty',
    'lxc.init.cmd = /sbin/init',
    'lxc.signal.halt = SIGUSR1',
    `lxc.log.file = ${join(dir, 'lxc.log')}`,
    'lxc.log.level = WARN',
    '',
  ].join('\n')
}

/** Builds and starts a container `name` under `lxcpath` (the daemon's `<state dir>/containers`). */
export function startTestContainer(lxcpath: string, name: string): TestContainer {
  sweepCgroups()
  const dir = join(lxcpath, name)
  const rootfs = join(dir, 'rootfs')
  mkdirSync(rootfs, { recursive: true })
  for (const p of [join(lxcpath, '..'), lxcpath, dir]) chmodSync(p, 0o711)
  let destroyed = false
  const destroy = (): void => {
    if (destroyed) return
    destroyed = true
    try {
      execFileSync('lxc-stop', ['-n', name, '-P', lxcpath, '-k'], { stdio: 'ignore', timeout: 30_000 })
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true })
    sweepCgroups(true)
    removeStaleCgroups([
      `${cgroupPrefix(dirname(lxcpath))}.monitor.${name}`,
      `${cgroupPrefix(dirname(lxcpath))}.payload.${name}`,
    ])
  }
  try {
    buildRootfs(rootfs)
    writeFileSync(join(dir, 'config'), lxcConfig(name, lxcpath))
    execFileSync('lxc-start', ['-n', name, '-P', lxcpath], { stdio: 'pipe', timeout: 30_000 })
    execFileSync('lxc-wait', ['-n', name, '-P', lxcpath, '-s', 'RUNNING', '-t', '10'], { stdio: 'pipe' })
  } catch (err) {
    destroy()
    throw err
  }
  return { name, lxcpath, rootfs, destroy }
}
