/** @module Server configuration keys (GET/PUT /1.0 `config`). */
import { defineKeys } from './key.js'
import { isInRange } from './validate.js'

/**
 * Every server key corrald accepts; anything else is refused. A key is declared only once
 * the daemon acts on it: core.https_address joins with the TLS listener, images.* with images.
 */
export const serverKeys = defineKeys(
  'server',
  {
    'user.*': { type: 'string', short: 'Free-form user key' },
    'core.shutdown_timeout': {
      type: 'integer',
      default: '5',
      validate: isInRange(0, 1_000_000),
      short: 'Minutes to wait for running operations to finish at shutdown',
    },
  },
  {
    unknown: (key) => `Cannot set "${key}": Unknown key`,
    invalid: (key, value, reason) => `Cannot set "${key}" to "${value}": ${reason}`,
  },
)
