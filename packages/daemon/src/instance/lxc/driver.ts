/** @module Starts and stops containers with LXC's tools, out of process (see docs/runtime.md). */
import { chmodSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { totalmem } from 'node:os'
import { join } from 'node:path'
import type { InstanceRecord } from '../../db/instances.js'
import { presentBindSources } from '../../host/bind-sources.js'
import { cgroupVersion, onlineCpuCount, removeStaleCgroups } from '../../host/cgroups.js'
import { primeCgroupMigration } from '../../host/cgroup-prime.js'
import { ensureLxcfs, lxcfsBinds } from '../../host/lxcfs.js'
import type { State } from '../../state.js'
import type { Expanded } from '../expand.js'
import type { IdmapEntry } from '../idmap.js'
import { cgroupPrefix } from './cgroup-prefix.js'
import { recordInnerMounts, startDevices, stopDevices } from './devices.js'
import { buildLxcConfig } from './lxc-config.js'
import { killContainer } from './kill.js'
import { seccompPolicy } from './seccomp.js'
import { lxcFiles, lxcName, lxcPath } from './paths.js'
import { isAlive, runtimeState } from './runtime.js'
import { thawContainer } from './live.js'
import { apparmorEnabled } from '../../host/proc.js'

/** The ERROR lines LXC logged for the last start, without their prefixes. */
function lxcErrors(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => / ERROR /.test(l))
      .slice(-3)
      .map((l) => l.replace(/^.* ERROR\s+\S+ - \S+ - /, ''))
      .join('; ')
  } catch {
    return ''
  }
}

/** What starting a container needs. */
export interface StartOptions {
  inst: InstanceRecord
  expanded: Expanded
  /** The instance volume's mount point (holds rootfs/). */
  volumePath: string
  idmap: IdmapEntry[]
}

/** Writes the LXC config and starts the container; resolves once LXC reports it running. */
export async function startContainer(state: State, opts: StartOptions): Promise<void> {
  const { inst } = opts
  const name = lxcName(inst.project, inst.name)
  const files = lxcFiles(state.paths.dir, inst.project, inst.name)
  // The container's root must traverse these to reach its log and console files (LXD uses 0711 too).
  for (const d of [lxcPath(state.paths.dir), files.dir]) {
    mkdirSync(d, { recursive: true })
    chmodSync(d, 0o711)
  }
  const prefix = cgroupPrefix(state.paths.dir)
  const policy = seccompPolicy(opts.expanded.config)
  const seccompFile = join(files.dir, 'seccomp')
  if (policy) writeFileSync(seccompFile, policy, { mode: 0o600 })
  // LXC binds lxcfs's files in through its hook when lxcfs serves; without it the container
  // still starts, seeing the host's /proc/meminfo, cpuinfo and uptime.
  if (!(await ensureLxcfs(state.host, state.log, join(state.paths.logs, 'lxcfs.log'))))
    state.log.warn('Starting the container without lxcfs', { project: inst.project, instance: inst.name })
  // LXC mounts this as the container's root: only a real directory, never a symlink out of the pool.
  if (!lstatSync(join(opts.volumePath, 'rootfs')).isDirectory())
    throw new Error('Instance root filesystem is not a directory')
  const devices = await startDevices(state, inst, opts.expanded.devices)
  const cgroups = containerCgroups(state, inst)
  try {
    const text = buildLxcConfig({
      name,
      hostname: inst.name,
      rootfs: join(opts.volumePath, 'rootfs'),
      idmap: opts.idmap,
      idmappedRootfs: true,
      logFile: files.log,
      consoleLog: files.console,
      cgroupPrefix: prefix,
      cgroupVersion: cgroupVersion(),
      apparmor: apparmorEnabled(),
      config: opts.expanded.config,
      mounts: devices.mounts,
      nics: devices.nics,
      ...(policy ? { seccompProfile: seccompFile } : {}),
      cpuCount: onlineCpuCount(),
      hostMemory: totalmem(),
      bindSources: presentBindSources(),
      lxcfsBinds: lxcfsBinds(),
    })
    writeFileSync(files.config, text, { mode: 0o600 })
    removeStaleCgroups(cgroups)
    // lxc-start moves its monitor and the container's init into their cgroups.
    primeCgroupMigration()
    await state.host
      .run('lxc-start', ['-n', name, '-P', lxcPath(state.paths.dir)], { timeoutMs: 120_000 })
      .catch((err: unknown) => {
        throw new Error(`Failed to start container: ${lxcErrors(files.log) || String(err)}`, { cause: err })
      })
    const run = await runtimeState(state, inst)
    if (run.pid > 0) await recordInnerMounts(state, inst, run.pid, devices.deviceMounts)
  } catch (err) {
    // Whatever step failed, the host is left as it was: what the devices made, and the cgroups LXC made.
    await devices.revert()
    removeStaleCgroups(cgroups)
    throw err
  }
}

/** The monitor and payload cgroup names LXC uses for the container. */
function containerCgroups(state: State, inst: Pick<InstanceRecord, 'project' | 'name'>): string[] {
  const prefix = cgroupPrefix(state.paths.dir)
  const name = lxcName(inst.project, inst.name)
  return [`${prefix}.monitor.${name}`, `${prefix}.payload.${name}`]
}

/** Removes what LXC keeps of a stopped container outside its directory: its empty cgroups. */
export function forgetContainer(state: State, inst: Pick<InstanceRecord, 'project' | 'name'>): void {
  removeStaleCgroups(containerCgroups(state, inst))
}

/** How long a clean stop without a timeout (`-1`) waits before the container is killed. */
export const defaultStopTimeout = 60

/**
 * Stops a container: cleanly (its init's halt signal, see docs/runtime.md) within `timeout`
 * seconds and killed after that, or at once with force. Returns as soon as the container is
 * down, also when another stop brought it down first (a forced stop cutting a clean one short).
 * The kill is ours ({@link killContainer}: a pidfd and an event, about 10 ms) rather than
 * `lxc-stop -k`'s, which spends about half a second on its own.
 */
export async function stopContainer(
  state: State,
  inst: InstanceRecord,
  opts: { force: boolean; timeout: number },
): Promise<void> {
  const args = ['-n', lxcName(inst.project, inst.name), '-P', lxcPath(state.paths.dir)]
  // A frozen container can neither take its halt signal nor die of a kill: thaw it first, as LXD.
  const run = await runtimeState(state, inst)
  if (run.status === 'Frozen') await thawContainer(state, inst, run.pid)
  const force = opts.force || opts.timeout === 0
  if (!force) {
    // LXC picks the halt signal and waits for the state change; the kill at the timeout is ours.
    args.push('--nokill', '-t', String(opts.timeout < 0 ? defaultStopTimeout : opts.timeout))
    await state.host.run('lxc-stop', args, { timeoutMs: 600_000 }).catch(() => undefined)
  }
  if ((await killContainer(state, inst)) === 'unknown') {
    try {
      await state.host.run('lxc-stop', [...args.slice(0, 4), '-k'], { timeoutMs: 600_000 })
    } catch (err) {
      if (isAlive(await runtimeState(state, inst))) throw err
    }
  }
  // The container is down: what its devices changed on the host goes, as recorded at start.
  await stopDevices(state, inst)
}
