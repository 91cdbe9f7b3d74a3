/** @module Server configuration keys (GET/PUT /1.0 `config`). */
import { defineKeys } from './key.js'
import { isDuration, isListenAddress, isOneOf, isInRange } from './validate.js'

/** Every server key corrald accepts; anything else is refused. */
export const serverKeys = defineKeys(
  'server',
  {
    'core.https_address': {
      type: 'string',
      validate: isListenAddress,
      short: 'Address to bind for the remote API (HTTPS); port 8443 when none is given',
      long: 'Prefer one address over a wildcard, and add a host firewall rule for the port.',
    },
    'core.remote_token_expiry': {
      type: 'string',
      default: '15d',
      validate: isDuration,
      short: 'Time after which an unused trust token expires',
    },
    'core.shutdown_timeout': {
      type: 'integer',
      default: '5',
      validate: isInRange(0, 1_000_000),
      short: 'Minutes to wait for running operations to finish at shutdown',
    },
    'images.compression_algorithm': {
      type: 'string',
      default: 'gzip',
      validate: isOneOf('none', 'gzip', 'bzip2', 'xz', 'zstd', 'lzma'),
      short: 'Compression algorithm to use for new images',
    },
    'images.remote_cache_expiry': {
      type: 'integer',
      default: '10',
      validate: isInRange(0, 1_000_000),
      short: 'Days after which an unused cached remote image is flushed',
    },
  },
  {
    unknown: (key) => `Cannot set "${key}": Unknown key`,
    invalid: (key, value, reason) => `Cannot set "${key}" to "${value}": ${reason}`,
  },
)
