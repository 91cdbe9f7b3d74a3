/** @module THE list of device drivers, the choice of a device's driver, and the validation of a device map through them. */
import { badRequest } from '@corral/api'
import type { DeviceConfig, DeviceDriver, ValidateContext } from './device.js'
import { diskDevice } from './disk.js'
import { nicBridged } from './nic-bridged.js'
import { nicRouted } from './nic-routed.js'
import { noneDevice } from './none.js'

/** Every device driver; a new driver adds one line (a test may register its own with registerDeviceDriver). */
const drivers: DeviceDriver[] = [noneDevice, diskDevice, nicBridged, nicRouted]

/** Every device driver, in registration order. */
export const deviceDrivers: readonly DeviceDriver[] = drivers

/** Adds a driver to the registry (for a driver a test defines; built-in drivers are the line above). */
export function registerDeviceDriver(driver: DeviceDriver): void {
  if (drivers.some((d) => d.match.type === driver.match.type && d.match.subtype === driver.match.subtype))
    throw new Error(`A driver for ${driver.match.type}/${driver.match.subtype ?? ''} is registered already`)
  drivers.push(driver)
}

/** A NIC's effective nictype: `network=` joins a managed bridge, so it is bridged. */
export function nicTypeOf(config: DeviceConfig): string | undefined {
  return config.nictype || (config.type === 'nic' && config.network ? 'bridged' : undefined)
}

/** Finds the driver for a device's type and subtype, or undefined. */
export function findDeviceDriver(type: string, subtype?: string): DeviceDriver | undefined {
  return drivers.find((d) => d.match.type === type && d.match.subtype === subtype)
}

/** The driver of a device's config (by `type`, and `nictype` for NICs), or undefined. */
export function driverOf(config: DeviceConfig): DeviceDriver | undefined {
  return findDeviceDriver(config.type ?? '', nicTypeOf(config))
}

/** The network or host bridge a device attaches to, if its driver says it attaches to one. */
export function networkOf(config: DeviceConfig): string | undefined {
  return driverOf(config)?.usesNetwork?.(config)
}

/** LXD's device names (validate.IsDeviceName) without the slash: they end up in file and chain names. */
const namePattern = /^[A-Za-z0-9_:-][A-Za-z0-9_.:-]*$/

/**
 * Validates a device map (names, types, keys, each driver's rules) as LXD does, throwing
 * ApiError(400). With `ctx` (an instance's expanded devices) the drivers also check what depends
 * on the instance and the host, and interface names must not clash.
 */
export function validateDevices(devices: Record<string, DeviceConfig>, ctx?: ValidateContext): void {
  const interfaces = new Map<string, string>()
  for (const [name, config] of Object.entries(devices)) {
    const fail = (msg: string): never => {
      throw badRequest(`Invalid devices: Device validation failed for "${name}": ${msg}`)
    }
    if (!namePattern.test(name) || name.length > 63) fail('Invalid device name')
    if (config === null || typeof config !== 'object' || Array.isArray(config))
      fail('Device config must be an object')
    const type = config.type
    if (!type) fail('Missing device type')
    const driver = findDeviceDriver(type!, nicTypeOf(config))
    if (!driver)
      fail(
        type === 'nic'
          ? 'Unsupported or missing "nictype" (use "network" or a nictype of bridged or routed)'
          : 'Unsupported device type',
      )
    const rest = Object.fromEntries(
      Object.entries(config).filter(
        ([k]) => k !== 'type' && !k.startsWith('user.') && !k.startsWith('initial.'),
      ),
    )
    try {
      driver!.keys.validate(rest)
      driver!.validate?.(config, ctx)
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err))
    }
    const ifname = ctx && driver!.interfaceName?.(name, config)
    if (!ifname) continue
    const first = interfaces.get(ifname)
    if (first) throw badRequest(`Devices "${first}" and "${name}" both use the interface name "${ifname}"`)
    interfaces.set(ifname, name)
  }
}
