/** @module The config keys of custom storage volumes, with LXD's volume messages. */
import { defineKeys, type KeySet } from '../config/key.js'
import { isBool, isDuration, isSingleLine, isSize } from '../config/validate.js'

/** The keys a custom filesystem volume on a dir or btrfs pool accepts (block keys are refused: no block volumes here). */
export function customVolumeKeys(volume: string): KeySet {
  return defineKeys(
    'storage-volumes',
    {
      size: {
        type: 'string',
        validate: isSize,
        short: 'Size (quota) of the volume, where the pool driver supports quotas (btrfs)',
      },
      'security.shifted': {
        type: 'bool',
        validate: isBool,
        default: 'false',
        short:
          'Let instances with different idmaps share the volume (each sees the files through its own idmapped mount)',
      },
      'snapshots.expiry': {
        type: 'string',
        validate: isDuration,
        short: 'When snapshots expire (stored; snapshots are not expired automatically yet)',
      },
      'snapshots.pattern': {
        type: 'string',
        validate: isSingleLine,
        default: 'snap%d',
        short: 'Name pattern of snapshots made without a name',
      },
      'user.*': { type: 'string', short: 'Free-form user key' },
    },
    {
      unknown: (key) =>
        key.startsWith('block.')
          ? `Invalid option for volume "${volume}" option "${key}": block volumes are not supported by this pool's driver`
          : `Invalid option for volume "${volume}" option "${key}"`,
      invalid: (key, _value, reason) => `Invalid value for volume "${volume}" option "${key}": ${reason}`,
    },
  )
}

/** The volume keys as documented (the messages name no volume). */
export const volumeKeysForDocs: KeySet = customVolumeKeys('NAME')
