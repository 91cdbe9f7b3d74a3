/**
 * @module An instance's devices on the host, through their drivers: started before LXC, torn
 * down from what the start recorded, plugged, unplugged and updated while the container runs.
 * Nothing here knows a device type: the registry picks the driver.
 */
import { patchInstanceConfig, type InstanceRecord } from '../../db/instances.js'
import { AppliedRecord, type AppliedStep } from '../../device/applied.js'
import {
  liveKeys,
  type DeviceConfig,
  type DeviceContext,
  type MountEntry,
  type RunNic,
} from '../../device/device.js'
import { driverOf, findDeviceDriver } from '../../device/registry.js'
import { ipBatch, ipCmd } from '../../host/net.js'
import { injectMount, injectionOf } from './mount-inject.js'
import type { State } from '../../state.js'
import { KeyedLock } from '../../util/keyed-lock.js'

type Devices = Record<string, DeviceConfig>

/** What the started devices give the container. */
export interface StartedDevices {
  /** In device-name order: LXC's `lxc.net.N` order. */
  nics: RunNic[]
  mounts: MountEntry[]
  /** The same mounts with the device each belongs to (a running container's removal takes them out). */
  deviceMounts: [string, MountEntry][]
  /** Undoes everything the start recorded. */
  revert(): Promise<void>
}

const byName = (devices: Devices) => Object.entries(devices).sort(([a], [b]) => a.localeCompare(b))

function contextOf(
  state: State,
  inst: InstanceRecord,
  device: string,
  config: DeviceConfig,
  record: AppliedRecord,
): DeviceContext {
  return { state, inst, device, config, record }
}

/** Starts one device, recording first which driver it was, so teardown finds it whatever the config says later. */
async function startDevice(ctx: DeviceContext) {
  const driver = driverOf(ctx.config)
  if (!driver?.start) return {}
  const { type, subtype } = driver.match
  await ctx.record.apply({ kind: 'device', device: ctx.device, type, ...(subtype ? { subtype } : {}) }, () =>
    Promise.resolve(),
  )
  return driver.start(ctx)
}

/** One teardown of a container's record at a time: a forced stop and the clean stop it cut short both end here. */
const teardowns = new KeyedLock()

/** Tears down what the record holds for `devices` (all when absent), each through the driver that started it. */
function stopRecorded(
  state: State,
  inst: InstanceRecord,
  record: AppliedRecord,
  devices?: ReadonlySet<string>,
): Promise<void> {
  return teardowns.run(`${inst.project}/${inst.name}`, () => teardown(state, inst, record, devices))
}

async function teardown(
  state: State,
  inst: InstanceRecord,
  record: AppliedRecord,
  devices?: ReadonlySet<string>,
): Promise<void> {
  const steps = record.steps().filter((s) => !devices || devices.has(s.device))
  const names = [...new Set(steps.map((s) => s.device))].reverse()
  for (const device of names) {
    const mine = steps.filter((s) => s.device === device)
    const started = mine.find((s): s is Extract<AppliedStep, { kind: 'device' }> => s.kind === 'device')
    const driver = started && findDeviceDriver(started.type, started.subtype)
    if (driver?.stop) {
      await driver.stop({ state, inst, device, record }, mine)
      record.forget(new Set([device]))
    } else await record.undo(new Set([device]))
  }
}

/** Starts every device before lxc-start, each host change recorded; on failure everything done so far is undone. */
export async function startDevices(
  state: State,
  inst: InstanceRecord,
  devices: Devices,
): Promise<StartedDevices> {
  const record = new AppliedRecord(state, inst)
  // What a container that stopped on its own (or a crash) left is undone before anything new.
  await stopRecorded(state, inst, record)
  const revert = () => stopRecorded(state, inst, record)
  const started: StartedDevices = { nics: [], mounts: [], deviceMounts: [], revert }
  try {
    for (const [device, config] of byName(devices)) {
      const run = await startDevice(contextOf(state, inst, device, config, record))
      if (run.nic) started.nics.push(run.nic)
      started.mounts.push(...(run.mounts ?? []))
      for (const m of run.mounts ?? []) started.deviceMounts.push([device, m])
    }
  } catch (err) {
    await revert()
    throw err
  }
  return started
}

/**
 * Records where LXC mounted each device's mount inside the container that just started (its
 * init is `pid`): removing the device while it runs then takes the mount out of the container,
 * not only the staging mount on the host. Nothing changes on the host here.
 */
export async function recordInnerMounts(
  state: State,
  inst: InstanceRecord,
  pid: number,
  mounts: readonly [string, MountEntry][],
): Promise<void> {
  const record = new AppliedRecord(state, inst)
  for (const [device, m] of mounts) {
    const at = injectionOf(pid, m)
    if (at) await record.apply({ kind: 'inner-mount', device, ...at }, () => Promise.resolve())
  }
}

/** Undoes what the start (and hot-plugs) recorded for the instance's devices (those named, or all). */
export async function stopDevices(
  state: State,
  inst: InstanceRecord,
  devices?: readonly string[],
): Promise<void> {
  await stopRecorded(state, inst, new AppliedRecord(state, inst), devices ? new Set(devices) : undefined)
}

/** Forgets what outlives stops for these devices (their drivers' remove): the device left, or the instance goes. */
export function forgetDevices(state: State, inst: InstanceRecord, devices: Devices): void {
  for (const [device, config] of Object.entries(devices))
    driverOf(config)?.remove?.({ state, inst, device, config })
}

/** Forgets a removed device's generated keys (volatile.<device>.*), as LXD does. */
function dropVolatile(state: State, inst: InstanceRecord, device: string): void {
  const keys = Object.keys(inst.config).filter((k) => k.startsWith(`volatile.${device}.`))
  if (keys.length === 0) return
  patchInstanceConfig(state.db, inst.id, Object.fromEntries(keys.map((k) => [k, ''])))
  for (const k of keys) delete inst.config[k]
}

/** Adds a device to a running container: started on the host, then handed over into its namespace. */
async function plugDevice(
  state: State,
  inst: InstanceRecord,
  pid: number,
  device: string,
  config: DeviceConfig,
) {
  const hadVolatile = Object.keys(inst.config).some((k) => k.startsWith(`volatile.${device}.`))
  const record = new AppliedRecord(state, inst)
  try {
    const run = await startDevice(contextOf(state, inst, device, config, record))
    for (const mount of run.mounts ?? []) {
      const at = injectionOf(pid, mount)
      if (!at) throw new Error('The instance stopped while the device was being added')
      await record.apply({ kind: 'inner-mount', device, ...at }, () => injectMount(state, at, mount))
    }
    if (run.nic) {
      await ipBatch(state.host, [ipCmd`link set ${run.nic.link} netns ${pid}`])
      await state.host.run('nsenter', [
        `--net=/proc/${pid}/ns/net`,
        'ip',
        'link',
        'set',
        run.nic.link,
        'name',
        run.nic.name,
      ])
    }
  } catch (err) {
    await stopRecorded(state, inst, record, new Set([device]))
    // A device that never made it in leaves no generated MAC or host name behind.
    if (!hadVolatile) dropVolatile(state, inst, device)
    throw err
  }
}

/**
 * Applies a change of an instance's expanded devices. Running: a device whose changed keys are
 * all live-update keys of its driver is updated in place; others are unplugged and plugged
 * again where the driver can hot-plug (the rest apply at the next start, and are returned by
 * name). Stopped, or gone: removed devices forget what outlives stops, and their generated keys.
 */
export async function applyDeviceChanges(
  state: State,
  inst: InstanceRecord,
  running: { pid: number } | undefined,
  before: Devices,
  after: Devices,
): Promise<string[]> {
  const deferred: string[] = []
  const same = (a?: DeviceConfig, b?: DeviceConfig) => JSON.stringify(a) === JSON.stringify(b)
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
  for (const device of names) {
    const old = before[device]
    const now = after[device]
    if (same(old, now)) continue
    const oldDriver = old && driverOf(old)
    const newDriver = now && driverOf(now)
    if (running && old && now && oldDriver === newDriver && oldDriver?.update) {
      const live = liveKeys(oldDriver)
      const changed = [...new Set([...Object.keys(old), ...Object.keys(now)])].filter(
        (k) => old[k] !== now[k],
      )
      if (changed.every((k) => live.has(k))) {
        await oldDriver.update(contextOf(state, inst, device, now, new AppliedRecord(state, inst)), old)
        continue
      }
    }
    // What a running container cannot take now is reported, never passed off as applied.
    if (running && ((old && !oldDriver?.hotplug) || (now && !newDriver?.hotplug))) deferred.push(device)
    const replug = (d: typeof oldDriver) => running && d?.hotplug
    if (old && (replug(oldDriver) || !running)) {
      if (running) await stopDevices(state, inst, [device])
      forgetDevices(state, inst, { [device]: old })
      if (!now) dropVolatile(state, inst, device)
    }
    if (now && running && replug(newDriver) && (!old || replug(oldDriver))) {
      try {
        await plugDevice(state, inst, running.pid, device, now)
      } catch (err) {
        // The new form did not go in: the device as it was goes back, so the instance is left as it was.
        if (old && replug(oldDriver))
          await plugDevice(state, inst, running.pid, device, old).catch((e: unknown) =>
            state.log.warn('Failed to plug a device back after a failed change', { device, err: String(e) }),
          )
        throw err
      }
    }
  }
  return deferred
}
