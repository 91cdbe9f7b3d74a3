/**
 * @module The device driver contract, in the spirit of LXD's device package: a driver declares
 * its match, keys and rules, sets its device up on the host when the instance starts (recording
 * each host change before making it), returns what the container receives, and is torn down
 * from that record, never from the config as it is by then.
 */
import type { KeySet } from '../config/key.js'
import type { Db } from '../db/db.js'
import type { InstanceRecord } from '../db/instances.js'
import type { State } from '../state.js'
import type { AppliedRecord, AppliedStep } from './applied.js'

/** One device's config, as stored and sent on the wire. */
export type DeviceConfig = Record<string, string>

/** The instance a device belongs to, as drivers see it (its volatile keys live in `config`). */
export type DeviceInstance = Pick<InstanceRecord, 'id' | 'project' | 'name' | 'config'>

/** Another instance's expanded devices (for checks across instances, such as address clashes). */
export interface OtherInstance {
  project: string
  name: string
  devices: Record<string, DeviceConfig>
}

/** What validate() may look at when it checks a device of an instance's expanded devices. */
export interface ValidateContext {
  db: Db
  instance: { project: string; name: string }
  /** The other instances (computed once, on demand). */
  others(): OtherInstance[]
}

/** What a driver acts with: the daemon, the instance, its device, and the record of host changes. */
export interface DeviceContext {
  state: State
  inst: DeviceInstance
  device: string
  config: DeviceConfig
  /** The container's record: `record.apply(step, change)` records a step, then makes the change. */
  record: AppliedRecord
}

/** A NIC as the container receives it: a host link moved into its namespace, renamed and configured. */
export interface RunNic {
  /** The host-side name of the link handed over (a veth peer). */
  link: string
  /** Its name inside the container. */
  name: string
  hwaddr: string
  mtu: string
  /** Addresses with prefix LXC sets inside (`198.18.0.5/32`), none when DHCP configures it. */
  ipv4: string[]
  ipv6: string[]
  gateway4?: string
  gateway6?: string
}

/** A bind mount the container receives. */
export interface MountEntry {
  source: string
  /** Path inside the container, without the leading slash. */
  target: string
  readonly: boolean
  /** Whether the source is a file (else a directory). */
  file: boolean
  /** Mount it idmapped to the container's user namespace (LXC's `idmap=container`), as the rootfs is. */
  idmap?: boolean
}

/** What a started device gives the container; the instance driver renders it (lxc.net.N, lxc.mount.entry). */
export interface RunConfig {
  nic?: RunNic
  mounts?: MountEntry[]
}

/** A device driver: one file per device type, one line in registry.ts. */
export interface DeviceDriver {
  /** The `type` (and, for NICs, `nictype`) this driver handles. */
  match: { type: string; subtype?: string }
  /** The keys this driver accepts (besides `type`); keys with `liveUpdate` may change while it runs. */
  keys: KeySet
  /** True when the device can be added to or removed from a running instance. */
  hotplug?: boolean
  /** Cross-key rules; with `ctx`, also the rules that depend on the instance and the host (networks, other instances). */
  validate?(config: DeviceConfig, ctx?: ValidateContext): void
  /** The network or host bridge the device attaches to, if any. */
  usesNetwork?(config: DeviceConfig): string | undefined
  /** The interface name it gives the instance, if it gives one (names must not clash). */
  interfaceName?(device: string, config: DeviceConfig): string
  /** Sets the device up on the host (recording every change in ctx.record) and says what the container receives. */
  start?(ctx: DeviceContext): Promise<RunConfig>
  /** Tears the device down from what start recorded; without it, the record's steps are undone as recorded. */
  stop?(ctx: Omit<DeviceContext, 'config'>, applied: readonly AppliedStep[]): Promise<void>
  /** Applies a change of live-update keys only, on a running instance. */
  update?(ctx: DeviceContext, previous: DeviceConfig): Promise<void>
  /** Forgets what outlives a stop (a DHCP entry) when the device leaves the instance, or the instance goes. */
  remove?(ctx: Omit<DeviceContext, 'record'>): void
}

/** The keys of a driver that may change while the instance runs (declared `liveUpdate: true`). */
export function liveKeys(driver: DeviceDriver): Set<string> {
  return new Set(Object.entries(driver.keys.keys).flatMap(([k, def]) => (def.liveUpdate ? [k] : [])))
}
