/** @module Instance configuration keys, shared by instances and profiles. */
import { parseRawIdmap } from '../instance/raw-idmap.js'
import { checkSyscallList } from './syscall-list.js'
import { defineKeys } from './key.js'
import { isCpuSet, isInRange, isSingleLine, isSizeOrPercent } from './validate.js'

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
      short: 'Seconds to wait for a clean shutdown when the host goes down, before the kill',
    },
    'boot.stop.priority': {
      type: 'integer',
      default: '0',
      short: 'Shutdown order when the host goes down (higher first)',
    },
    'environment.*': {
      type: 'string',
      validate: isSingleLine,
      short: 'Environment variable for the instance and exec sessions',
    },
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
    'raw.idmap': {
      type: 'string',
      validate: (v) => void parseRawIdmap(v),
      liveUpdate: false,
      short: 'Extra id mappings: lines of `uid|gid|both HOST [NS]` (ids or ranges)',
    },
    'raw.lxc': {
      type: 'string',
      liveUpdate: false,
      short: 'Raw LXC configuration appended to the generated one',
    },
    'security.idmap.base': {
      type: 'integer',
      validate: isInRange(0, 4294967295),
      liveUpdate: false,
      short: 'First host id of an isolated map (chosen first-fit when unset)',
    },
    'security.idmap.isolated': {
      type: 'bool',
      default: 'false',
      liveUpdate: false,
      short: 'Give the container a host id range no other container uses',
    },
    'security.idmap.size': {
      type: 'integer',
      validate: isInRange(1, 4294967295),
      defaultText: '65536 when isolated',
      liveUpdate: false,
      short: 'Number of ids in an isolated map',
    },
    'security.nesting': {
      type: 'bool',
      default: 'false',
      liveUpdate: false,
      short: 'Allow nested containers',
    },
    'security.syscalls.allow': {
      type: 'string',
      validate: checkSyscallList,
      liveUpdate: false,
      short: 'Syscalls to allow, all others denied (newline or comma separated)',
    },
    'security.syscalls.deny': {
      type: 'string',
      validate: checkSyscallList,
      liveUpdate: false,
      short: 'Syscalls to deny besides the default list (newline or comma separated)',
    },
    'security.syscalls.deny_default': {
      type: 'bool',
      default: 'true',
      liveUpdate: false,
      short:
        'Deny the default list (kexec_load, open_by_handle_at, init_module, finit_module, delete_module)',
    },
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
    'user.*': { type: 'string', short: 'Free-form user key' },
    'volatile.*': { type: 'string', short: 'Internal state kept by the daemon' },
    'image.*': { type: 'string', short: 'Properties of the image the instance came from' },
  },
  {
    unknown: (key) => `Unknown configuration key: ${key}`,
    invalid: (key, value, reason) => `Invalid value for key "${key}": "${value}": ${reason}`,
  },
)
