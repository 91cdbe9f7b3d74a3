/** @module Mounts put into and taken out of a running container (disk hot-plug), through corral-forkmount. */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { mountNamespaceOf } from '../../host/proc.js'
import type { State } from '../../state.js'

/** The mount helper binary, built by native/build.sh. */
export const forkmountPath = fileURLToPath(
  new URL('../../../../native/build/corral-forkmount', import.meta.url),
)

/** Where an injected mount lives: the container (its init and mount namespace then) and the path inside. */
export interface InjectedMount {
  pid: number
  /** The container's mount namespace when the mount went in: a reused pid is not the same container. */
  mountNs: string
  /** Absolute path inside the container. */
  target: string
}

function helper(): string {
  if (!existsSync(forkmountPath))
    throw new Error(`Missing ${forkmountPath} (run packages/daemon/native/build.sh)`)
  return forkmountPath
}

/** Checks a path inside the container at this sink: absolute, one line, no NUL. */
function checkTarget(target: string): void {
  if (!target.startsWith('/') || /[\0\r\n]/.test(target))
    throw new Error(`Refusing mount target ${JSON.stringify(target)}`)
}

/** A staged mount as the helper takes it (the device contract's MountEntry has these fields). */
export interface StagedMount {
  source: string
  /** Path inside the container, without the leading slash. */
  target: string
  readonly: boolean
  file: boolean
  /** Mapped to the container's user namespace (a volume), as LXC's `idmap=container` entry. */
  idmap?: boolean
}

/** Where `mount` would go in the running container whose init is `pid`, or undefined when it is gone. */
export function injectionOf(pid: number, mount: StagedMount): InjectedMount | undefined {
  const mountNs = mountNamespaceOf(pid)
  return mountNs ? { pid, mountNs, target: `/${mount.target}` } : undefined
}

/** Attaches a staged host mount at its target inside the running container (created as its root if missing). */
export async function injectMount(state: State, at: InjectedMount, mount: StagedMount): Promise<void> {
  checkTarget(at.target)
  if (!mount.source.startsWith('/') || /[\0\r\n]/.test(mount.source))
    throw new Error(`Refusing mount source ${JSON.stringify(mount.source)}`)
  await state.host.run(helper(), [
    String(at.pid),
    'mount',
    mount.source,
    at.target,
    mount.file ? 'file' : 'dir',
    mount.readonly ? 'ro' : 'rw',
    mount.idmap ? 'idmap' : 'plain',
  ])
}

/** Detaches an injected mount, if the container it went into still runs (a stop took it away otherwise). */
export async function ejectMount(state: State, at: InjectedMount): Promise<void> {
  checkTarget(at.target)
  if (mountNamespaceOf(at.pid) !== at.mountNs) return
  await state.host.run(helper(), [String(at.pid), 'umount', at.target])
}
