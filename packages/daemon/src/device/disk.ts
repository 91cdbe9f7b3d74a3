/** @module The `disk` device: the root disk (a storage pool) or a host path bind-mounted in. */
import { badRequest } from '@corral/api'
import { defineKeys } from '../config/key.js'
import { isBool, isSingleLine } from '../config/validate.js'
import type { DeviceDriver } from './device.js'
import { deviceKeyMessages } from './messages.js'

const absolute = (value: string): void => {
  if (!value.startsWith('/')) throw new Error('Must be an absolute path')
  isSingleLine(value)
}

/** LXD's `disk` device type (root disk and host bind mounts). */
export const diskDevice: DeviceDriver = {
  match: { type: 'disk' },
  keys: defineKeys(
    'devices',
    {
      path: {
        type: 'string',
        validate: absolute,
        short: 'Path inside the instance where the disk is mounted',
      },
      source: {
        type: 'string',
        validate: isSingleLine,
        short: 'Host path to bind-mount (file or directory)',
      },
      pool: { type: 'string', short: 'Storage pool of the root disk' },
      readonly: { type: 'bool', validate: isBool, default: 'false', short: 'Mount read-only' },
      required: { type: 'bool', default: 'true', short: 'Fail when the source is missing' },
      size: { type: 'string', short: 'Size of the root disk (where the pool supports quotas)' },
    },
    deviceKeyMessages,
  ),
  validate(config) {
    if (!config.path) throw badRequest('Disk entry is missing the required "path" property')
    if (config.path === '/') {
      if (!config.pool) throw badRequest('Root disk entry must have a "pool" property set')
      if (config.source) throw badRequest('Root disk entry may not have a "source" property set')
      return
    }
    if (!config.source) throw badRequest('Disk entry is missing the required "source" or "path" property')
    if (config.pool)
      throw badRequest('Storage volumes from pools are not supported yet; use a host "source" path')
    if (!config.source.startsWith('/')) throw badRequest('Source must be an absolute host path')
  },
}
