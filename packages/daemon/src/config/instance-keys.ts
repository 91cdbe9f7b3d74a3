/** @module Instance configuration keys, shared by instances and profiles. */
import { defineKeys } from './key.js'
import { isCpuSet, isInRange, isOneOf, isSizeOrPercent, optional } from './validate.js'

/** Keys an instance or a profile may carry (LXD's InstanceConfigKeysAny/Container). */
export const instanceKeys = defineKeys(
  'instance',
  {
    'boot.autostart': { type: 'bool', short: 'Whether to start the instance when the daemon starts' },
    'boot.autostart.delay': { type: 'integer', default: '0', short: 'Seconds to wait after starting it' },
    'boot.autostart.priority': { type: 'integer', default: '0', short: 'Start order (higher first)' },
    'boot.host_shutdown_timeout': {
      type: 'integer',
      default: '30',
      short: 'Seconds to wait for a clean stop',
    },
    'boot.stop.priority': { type: 'integer', default: '0', short: 'Stop order (higher first)' },
    'environment.*': { type: 'string', short: 'Environment variable for the instance and exec sessions' },
    'limits.cpu': { type: 'string', validate: isCpuSet, short: 'Number or range of CPUs to expose' },
    'limits.memory': {
      type: 'string',
      validate: isSizeOrPercent,
      short: 'Memory limit, in bytes or a percentage',
    },
    'limits.processes': {
      type: 'integer',
      validate: isInRange(1, 4194304),
      short: 'Maximum number of processes',
    },
    'raw.lxc': {
      type: 'string',
      liveUpdate: false,
      short: 'Raw LXC configuration appended to the generated one',
    },
    'raw.idmap': {
      type: 'string',
      liveUpdate: false,
      short: 'Raw idmap entries (`both|uid|gid HOST CONTAINER`)',
    },
    'security.idmap.base': { type: 'integer', liveUpdate: false, short: 'First host id of an isolated map' },
    'security.idmap.isolated': {
      type: 'bool',
      default: 'false',
      liveUpdate: false,
      short: 'Use a unique idmap',
    },
    'security.idmap.size': { type: 'integer', liveUpdate: false, short: 'Size of an isolated idmap' },
    'security.nesting': { type: 'bool', default: 'false', short: 'Allow nested containers' },
    'security.privileged': {
      type: 'bool',
      default: 'false',
      liveUpdate: false,
      short: 'Run without a user namespace (root is host root)',
    },
    'security.protection.delete': {
      type: 'bool',
      default: 'false',
      short: 'Prevent the instance from being deleted',
    },
    'snapshots.expiry': { type: 'string', short: 'When snapshots are deleted' },
    'user.*': { type: 'string', short: 'Free-form user key' },
    'volatile.*': { type: 'string', short: 'Internal state kept by the daemon' },
    'image.*': { type: 'string', short: 'Properties of the image the instance came from' },
    'linux.kernel_modules': { type: 'string', short: 'Kernel modules to load before starting' },
    'migration.stateful': { type: 'bool', default: 'false', short: 'Allow stateful stop and migration' },
    'cluster.evacuate': {
      type: 'string',
      validate: optional(isOneOf('auto', 'migrate', 'live-migrate', 'stop')),
      short: 'What to do on evacuation',
    },
  },
  {
    unknown: (key) => `Unknown configuration key: ${key}`,
    invalid: (key, value, reason) => `Invalid value for key "${key}": "${value}": ${reason}`,
  },
)
