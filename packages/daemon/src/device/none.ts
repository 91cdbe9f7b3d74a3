/** @module The `none` device: masks a device of the same name inherited from a profile. */
import { defineKeys } from '../config/key.js'
import { deviceKeyMessages } from './messages.js'
import type { DeviceDriver } from './device.js'

/** LXD's `none` device type. */
export const noneDevice: DeviceDriver = {
  match: { type: 'none' },
  keys: defineKeys('devices', {}, deviceKeyMessages),
  // Nothing to set up: masking a device of a running instance takes effect at once (it is unplugged).
  hotplug: true,
}
