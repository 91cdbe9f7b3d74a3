/** @module Server configuration keys (GET/PUT /1.0 `config`). */
import { defineKeys } from './key.js'
import { compressionAlgorithms } from './compression.js'
import { isDuration, isInRange, isListenAddress, isOneOf } from './validate.js'

/**
 * Every server key corrald accepts; anything else is refused. A key is declared only once
 * the daemon acts on it (core.https_address starts, moves and stops the TLS listener live).
 */
export const serverKeys = defineKeys(
  'server',
  {
    'user.*': { type: 'string', short: 'Free-form user key' },
    'core.https_address': {
      type: 'string',
      validate: isListenAddress,
      short: 'Address to bind for the remote API (HTTPS); port 8443 when none is given',
      long: 'Changes take effect at once. Prefer one address over a wildcard, and add a host firewall rule for the port.',
    },
    'core.remote_token_expiry': {
      type: 'string',
      default: '15d',
      validate: isDuration,
      short: 'Time after which an unused trust token expires (e.g. 15d, 4h, 30M, 10S)',
    },
    'core.trust_password': {
      type: 'string',
      short: 'Password an untrusted client may give to add its own certificate (LXD 5.0.2)',
      long: 'Unset by default. Kept only as a salted scrypt hash and shown as `true`; attempts are limited per address. Trust tokens (`corral config trust add`) are single-use and safer.',
    },
    'images.compression_algorithm': {
      type: 'string',
      default: 'gzip',
      validate: isOneOf(...compressionAlgorithms),
      short: 'Compression of images published from instances (none, gzip, bzip2, xz, lzma, zstd)',
    },
    'backups.compression_algorithm': {
      type: 'string',
      default: 'gzip',
      validate: isOneOf(...compressionAlgorithms),
      short: 'Compression of instance backups (none, gzip, bzip2, xz, lzma, zstd)',
    },
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
