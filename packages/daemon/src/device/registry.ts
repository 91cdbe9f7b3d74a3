/** @module THE list of device drivers, and the validation of a device map through it. */
import { badRequest } from '@corral/api'
import type { DeviceConfig, DeviceDriver } from './device.js'
import { diskDevice } from './disk.js'
import { nicBridged } from './nic-bridged.js'
import { nicRouted } from './nic-routed.js'
import { noneDevice } from './none.js'

/** Every device driver; a new driver adds one line. */
export const deviceDrivers: readonly DeviceDriver[] = [noneDevice, diskDevice, nicBridged, nicRouted]

/** A NIC's effective nictype: `network=` joins a managed bridge, so it is bridged. */
export function nicTypeOf(config: DeviceConfig): string | undefined {
  return config.nictype || (config.type === 'nic' && config.network ? 'bridged' : undefined)
}

/** Finds the driver for a device's type and subtype, or undefined. */
export function findDeviceDriver(type: string, subtype?: string): DeviceDriver | undefined {
  return deviceDrivers.find((d) => d.match.type === type && d.match.subtype === subtype)
}

/** LXD's device names (validate.IsDeviceName) without the slash: they end up in file and chain names. */
const namePattern = /^[A-Za-z0-9_:-][A-Za-z0-9_.:-]*$/

/** Validates a device map (names, types, keys) as LXD does, throwing ApiError(400). */
export function validateDevices(devices: Record<string, DeviceConfig>): void {
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
      driver!.validate?.(config)
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err))
    }
  }
}
