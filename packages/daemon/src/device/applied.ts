/**
 * @module What a start changed on the host, recorded with the container before each change is made,
 * and undone from that record (never from the current config) at stop, at a failed start and after
 * a crash.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { ipBatch, ipCmd, ipJson, ipWords, linkExists } from '../host/net.js'
import { ejectMount, type InjectedMount } from '../instance/lxc/mount-inject.js'
import { lxcFiles } from '../instance/lxc/paths.js'
import type { State } from '../state.js'

/** One host change of a device, in the data needed to undo it (`device`: which driver started it). */
export type AppliedStep =
  | { kind: 'device'; device: string; type: string; subtype?: string }
  | { kind: 'veth'; device: string; name: string }
  | { kind: 'route'; device: string; route: string[] }
  | { kind: 'proxy-neigh'; device: string; address: string; dev: string }
  | { kind: 'nic-filter'; device: string; label: string; hostName: string }
  | { kind: 'routed-filter'; device: string; hostName: string }
  | { kind: 'mount'; device: string; path: string }
  /** A mount put into the running container (hot-plug); a stop takes it away with the namespace. */
  | ({ kind: 'inner-mount'; device: string } & InjectedMount)
  /** A change only its driver knows how to undo (in its stop()); undone as nothing here. */
  | { kind: 'driver'; device: string; data: Record<string, string> }

/** The instance a record belongs to. */
type Owner = { project: string; name: string }

/** The record's file, beside LXC's own files of the container. */
export function appliedFile(stateDir: string, inst: Owner): string {
  return join(lxcFiles(stateDir, inst.project, inst.name).dir, 'applied.json')
}

function load(file: string): AppliedStep[] {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { steps: AppliedStep[] }).steps
  } catch {
    return []
  }
}

/** Writes atomically: a crash leaves the old record or the new one, never half of one. */
function save(file: string, steps: AppliedStep[]): void {
  if (steps.length === 0) return rmSync(file, { force: true })
  mkdirSync(dirname(file), { recursive: true, mode: 0o711 })
  writeFileSync(`${file}.tmp`, JSON.stringify({ steps }), { mode: 0o600 })
  renameSync(`${file}.tmp`, file)
}

/** Undoes one step; what is already gone is not an error. Only a veth is ever deleted as a link. */
async function undoStep(state: State, step: AppliedStep): Promise<void> {
  switch (step.kind) {
    case 'device':
    case 'driver':
      return
    case 'veth': {
      if (!linkExists(step.name)) return
      const [link] = await ipJson<{ linkinfo?: { info_kind?: string } }[]>(state.host, [
        '-d',
        'link',
        'show',
        'dev',
        step.name,
      ])
      if (link?.linkinfo?.info_kind === 'veth') await ipBatch(state.host, [ipCmd`link del ${step.name}`])
      return
    }
    case 'route':
      return ipBatch(state.host, [ipWords(['route', 'del', ...step.route])])
    case 'proxy-neigh':
      return ipBatch(state.host, [ipCmd`neigh del proxy ${step.address} dev ${step.dev}`])
    case 'nic-filter':
      return state.firewall.nicFilterRemove(step.label, step.hostName)
    case 'routed-filter':
      return state.firewall.routedRemove(step.hostName)
    case 'mount':
      return unmountStage(state, step.path)
    case 'inner-mount':
      return ejectMount(state, step)
  }
}

/**
 * Unmounts every mount stacked on a staging path, then removes only the empty stage itself: a
 * recursive remove would walk into a mount still in place and delete the host source's files.
 */
async function unmountStage(state: State, path: string): Promise<void> {
  if (!path.startsWith(`${join(state.paths.dir, 'devices')}/`)) throw new Error(`Refusing to unmount ${path}`)
  if (!existsSync(path)) return
  for (let i = 0; i < 16; i++) {
    try {
      await state.host.run('umount', [path])
    } catch {
      break
    }
  }
  if (lstatSync(path).isDirectory()) rmdirSync(path)
  else unlinkSync(path)
  try {
    rmdirSync(dirname(path))
  } catch {
    // Other stages are still there.
  }
}

/** The host changes of one container: each recorded before it is made, undone newest first. */
export class AppliedRecord {
  private readonly file: string

  constructor(
    private readonly state: State,
    inst: Owner,
  ) {
    this.file = appliedFile(state.paths.dir, inst)
  }

  /** The steps recorded now. */
  steps(): AppliedStep[] {
    return load(this.file)
  }

  /** Records the step, then makes the change; a change that failed half-way is undone like one that was made. */
  async apply(step: AppliedStep, change: () => Promise<unknown>): Promise<void> {
    save(this.file, [...load(this.file), step])
    await change()
  }

  /** Undoes the recorded steps (those of `devices`, or all), newest first, and forgets them; failures are logged, the rest still run. */
  async undo(devices?: ReadonlySet<string>): Promise<void> {
    const steps = load(this.file)
    const mine = (s: AppliedStep) => !devices || devices.has(s.device)
    for (const step of [...steps].reverse().filter(mine)) {
      try {
        await undoStep(this.state, step)
      } catch (err) {
        this.state.log.warn('Failed to undo a host change', { step: JSON.stringify(step), err: String(err) })
      }
    }
    save(
      this.file,
      steps.filter((s) => !mine(s)),
    )
  }

  /** Drops the steps of `devices` from the record without undoing them (their driver's stop did). */
  forget(devices: ReadonlySet<string>): void {
    save(
      this.file,
      load(this.file).filter((s) => !devices.has(s.device)),
    )
  }

  /** True when the record holds a step of this device. */
  has(device: string, kind: AppliedStep['kind']): boolean {
    return load(this.file).some((s) => s.device === device && s.kind === kind)
  }
}

/** True when the instance has host changes recorded (it ran, or a start failed before it could undo). */
export function hasApplied(stateDir: string, inst: Owner): boolean {
  return existsSync(appliedFile(stateDir, inst))
}
