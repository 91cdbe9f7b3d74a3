/** @module Project configuration keys. */
import { defineKeys } from '../config/key.js'
import { isInRange, isOneOf } from '../config/validate.js'

/** Keys a project may carry. */
export const projectKeys = defineKeys(
  'project',
  {
    'features.images': { type: 'bool', default: 'true', short: 'Separate set of images and aliases' },
    'features.networks': { type: 'bool', default: 'false', short: 'Separate set of networks' },
    'features.profiles': { type: 'bool', default: 'true', short: 'Separate set of profiles' },
    'features.storage.volumes': { type: 'bool', default: 'true', short: 'Separate set of storage volumes' },
    'limits.containers': {
      type: 'integer',
      validate: isInRange(0, 1_000_000),
      short: 'Maximum number of containers',
    },
    'limits.instances': {
      type: 'integer',
      validate: isInRange(0, 1_000_000),
      short: 'Maximum number of instances',
    },
    restricted: {
      type: 'bool',
      default: 'false',
      short: 'Apply the restricted.* limits to the project',
    },
    'restricted.containers.privilege': {
      type: 'string',
      default: 'unprivileged',
      validate: isOneOf('unprivileged', 'isolated', 'allow'),
      short:
        'With restricted: `unprivileged` (no privileged containers), `isolated` (isolated idmaps forced) or `allow`',
    },
    'user.*': { type: 'string', short: 'Free-form user key' },
  },
  {
    unknown: (key) => `Invalid project configuration key "${key}"`,
    invalid: (key, value, reason) =>
      `Invalid value for project configuration key "${key}" ("${value}"): ${reason}`,
  },
)
