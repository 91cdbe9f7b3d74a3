/** @module Pure builder of a container's LXC configuration file. */
import { isTrue } from '../../config/validate.js'
import type { BindSource } from '../../host/bind-sources.js'
import type { LxcfsBind } from '../../host/lxcfs.js'
import { memoryLimitBytes } from '../../util/size.js'
import type { MountEntry, RunNic } from '../../device/device.js'
import type { IdmapEntry } from '../idmap.js'

export type { MountEntry } from '../../device/device.js'

/** Everything the builder needs; no I/O happens here. */
export interface LxcConfigInput {
  name: string
  hostname: string
  rootfs: string
  /** Empty for a privileged container. */
  idmap: IdmapEntry[]
  /** Mount the rootfs through an idmapped mount instead of shifting files on disk. */
  idmappedRootfs: boolean
  logFile: string
  consoleLog: string
  /** Unique cgroup directory prefix of this daemon (avoids clashes with other LXC users). */
  cgroupPrefix: string
  /** `cgroup` (v1 keys, as on hybrid hosts) or `cgroup2`. */
  cgroupVersion: 'cgroup' | 'cgroup2'
  apparmor: boolean
  config: Record<string, string>
  mounts: MountEntry[]
  /** The NICs the devices hand over, in `lxc.net.N` order; none gives the container an empty network namespace. */
  nics?: RunNic[]
  /** A policy file of the container's own (security.syscalls.*), replacing LXC's default one. */
  seccompProfile?: string
  cpuCount: number
  /** Host memory in bytes (for `limits.memory` percentages). */
  hostMemory: number
  /** LXD's optional binds of host kernel interfaces (debugfs, pstore, /dev/fuse, ...) present on the host. */
  bindSources?: BindSource[]
  /**
   * lxcfs's files to bind over the container's (host/lxcfs.ts): written as mount entries that
   * LXC makes itself, in place of lxcfs's mount hook (a shell script that runs about twenty
   * processes at every start). Absent: the hook from common.conf.d stays.
   */
  lxcfsBinds?: LxcfsBind[]
}

/** LXC's own shared defaults: capabilities, seccomp, proc/sys/cgroup mounts, devices. */
const commonConf = '/usr/share/lxc/config/common.conf'
const userNsConf = '/usr/share/lxc/config/userns.conf'
const nestingConf = '/usr/share/lxc/config/nesting.conf'

/** The cpuset of `limits.cpu`: a count pins the first CPUs, a list or range is taken as it is. */
export function cpuSet(limit: string, cpuCount: number): string {
  if (/^\d+$/.test(limit)) return `0-${Math.max(0, Math.min(Number(limit), cpuCount) - 1)}`
  return limit
}

function limitLines(input: LxcConfigInput): string[] {
  const { config, cgroupVersion: v } = input
  const out: string[] = []
  if (config['limits.cpu']) out.push(`lxc.${v}.cpuset.cpus = ${cpuSet(config['limits.cpu'], input.cpuCount)}`)
  if (config['limits.memory']) {
    const bytes = memoryLimitBytes(config['limits.memory'], input.hostMemory)
    out.push(
      v === 'cgroup' ? `lxc.cgroup.memory.limit_in_bytes = ${bytes}` : `lxc.cgroup2.memory.max = ${bytes}`,
    )
  }
  if (config['limits.processes']) out.push(`lxc.${v}.pids.max = ${config['limits.processes']}`)
  return out
}

/**
 * Escapes a path for one field of an fstab-style `lxc.mount.entry` (LXC reads it with getmntent):
 * backslash, space, tab and newline become `\134`, `\040`, `\011` and `\012`.
 */
export function escapeMountPath(path: string): string {
  return path.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)
}

/** One `lxc.mount.entry` line: source and target escaped, so a space cannot shift the fields. */
function mountLine(m: MountEntry): string {
  const options = `bind,create=${m.file ? 'file' : 'dir'}${m.readonly ? ',ro' : ''}${m.idmap ? ',idmap=container' : ''}`
  return `lxc.mount.entry = ${escapeMountPath(m.source)} ${escapeMountPath(m.target)} none ${options} 0 0`
}

/**
 * What LXD 5.0.2 writes for distributions (docs/runtime.md): its own proc/sys/cgroup mounts, and
 * the host's kernel interfaces bound `optional` at the same place, so mount units find a mount
 * point. A privileged container gets a fresh mqueue instead of the host's, and TUN in its device
 * allow-list (common.conf already allows FUSE).
 */
function distroLines(input: LxcConfigInput, privileged: boolean): string[] {
  const v = input.cgroupVersion
  const cgroup = v === 'cgroup2' ? 'cgroup:rw:force' : 'cgroup:mixed'
  const lines = [`lxc.mount.auto = ${privileged ? 'proc:mixed sys:mixed' : 'proc:rw sys:rw'} ${cgroup}`]
  if (privileged) lines.push(`lxc.${v}.devices.allow = c 10:200 rwm`)
  for (const b of input.bindSources ?? []) {
    if (b.path === '/dev/mqueue' && privileged) continue
    const target = escapeMountPath(b.path.slice(1))
    const options = b.dir ? 'rbind,create=dir,optional' : 'bind,create=file,optional'
    lines.push(`lxc.mount.entry = ${escapeMountPath(b.path)} ${target} none ${options} 0 0`)
  }
  if (privileged) lines.push('lxc.mount.entry = mqueue dev/mqueue mqueue rw,relatime,create=dir,optional 0 0')
  return lines
}

/** The `lxc.net.N` lines of a NIC: the prepared link moved in as `phys`, renamed, up, with its addresses. */
function nicLines(index: number, nic: RunNic): string[] {
  const p = `lxc.net.${index}`
  return [
    `${p}.type = phys`,
    `${p}.link = ${nic.link}`,
    `${p}.name = ${nic.name}`,
    `${p}.flags = up`,
    `${p}.hwaddr = ${nic.hwaddr}`,
    `${p}.mtu = ${nic.mtu}`,
    ...nic.ipv4.map((a) => `${p}.ipv4.address = ${a}`),
    ...nic.ipv6.map((a) => `${p}.ipv6.address = ${a}`),
    ...(nic.gateway4 ? [`${p}.ipv4.gateway = ${nic.gateway4}`] : []),
    ...(nic.gateway6 ? [`${p}.ipv6.gateway = ${nic.gateway6}`] : []),
  ]
}

/** LXC runs a hook as `sh -c "exec HOOK NAME lxc post-stop"`: this one execs lxcfs's only on a reboot. */
const lxcfsRebootHook =
  '/bin/sh -c \'[ "$LXC_TARGET" = reboot ] && [ -x /usr/share/lxcfs/lxc.reboot.hook ] && exec /usr/share/lxcfs/lxc.reboot.hook "$@"; exit 0\' lxcfs-reboot'

/** The mount hook's binds, as entries: each optional, so a file the container lacks is skipped as the hook skips it. */
function lxcfsLines(binds: LxcfsBind[] | undefined): string[] {
  if (binds === undefined) return []
  return [
    'lxc.hook.mount =',
    ...binds.map(
      (b) =>
        `lxc.mount.entry = ${escapeMountPath(b.source)} ${escapeMountPath(b.target)} none bind,optional 0 0`,
    ),
  ]
}

/** Renders the LXC config; the same input always gives the same text. */
export function buildLxcConfig(input: LxcConfigInput): string {
  const mountLines = input.mounts.map(mountLine)
  const netLines = (input.nics ?? []).flatMap((nic, i) => nicLines(i, nic))
  // Every value below lands on one line; a newline would inject configuration (raw.lxc is the one way to add lines).
  // Mount paths are escaped (a newline becomes \012); a carriage return, which getmntent cannot decode, is refused.
  const values = [
    input.name,
    input.hostname,
    input.rootfs,
    input.logFile,
    input.consoleLog,
    ...mountLines,
    ...netLines,
    input.seccompProfile ?? '',
  ]
  const config = Object.entries(input.config).filter(([k]) => k !== 'raw.lxc')
  for (const v of [...values, ...config.map(([k, v]) => `${k}=${v}`)]) {
    // LXC reads one key a line and stops reading a line at NUL.
    if (/[\r\n\0]/.test(v))
      throw new Error(`Refusing a line break or NUL in LXC configuration value ${JSON.stringify(v)}`)
  }
  const privileged = input.idmap.length === 0
  const lines = [
    `lxc.include = ${commonConf}`,
    ...(privileged ? [] : [`lxc.include = ${userNsConf}`]),
    ...(isTrue(input.config['security.nesting']) ? [`lxc.include = ${nestingConf}`] : []),
    // common.conf.d brings lxcfs's post-stop hook, which sleeps 0.5 s after every stop so that
    // lxcfs notices an in-place reboot; the monitor exits only after it, so every stop paid it.
    // Cleared, and run again only when LXC reboots the container in place (LXC_TARGET=reboot).
    'lxc.hook.post-stop =',
    `lxc.hook.post-stop = ${lxcfsRebootHook}`,
    `lxc.uts.name = ${input.hostname}`,
    `lxc.rootfs.path = dir:${input.rootfs}`,
    ...(input.idmappedRootfs && !privileged ? ['lxc.rootfs.options = idmap=container'] : []),
    ...input.idmap.map((e) => `lxc.idmap = ${e.Isuid ? 'u' : 'g'} ${e.Nsid} ${e.Hostid} ${e.Maprange}`),
    ...(input.apparmor ? [] : ['lxc.apparmor.profile = unconfined']),
    `lxc.cgroup.dir.monitor = ${input.cgroupPrefix}.monitor.${input.name}`,
    `lxc.cgroup.dir.container = ${input.cgroupPrefix}.payload.${input.name}`,
    `lxc.log.file = ${input.logFile}`,
    'lxc.log.level = warn',
    `lxc.console.logfile = ${input.consoleLog}`,
    'lxc.console.buffer.size = auto',
    'lxc.console.size = auto',
    'lxc.pty.max = 1024',
    'lxc.tty.max = 0',
    'lxc.autodev = 1',
    ...distroLines(input, privileged),
    ...lxcfsLines(input.lxcfsBinds),
    // No lxc.signal.halt, as LXD: LXC sends SIGRTMIN+3 to an init that blocks it (systemd), else SIGPWR.
    'lxc.init.cmd = /sbin/init',
    ...(netLines.length ? netLines : ['lxc.net.0.type = empty']),
    ...(input.seccompProfile ? [`lxc.seccomp.profile = ${input.seccompProfile}`] : []),
    ...limitLines(input),
    ...Object.entries(input.config)
      .filter(([k]) => k.startsWith('environment.'))
      .map(([k, v]) => `lxc.environment = ${k.slice('environment.'.length)}=${v}`),
    ...mountLines,
  ]
  const raw = input.config['raw.lxc']
  return `${lines.join('\n')}\n${raw ? `${raw.trimEnd()}\n` : ''}`
}
