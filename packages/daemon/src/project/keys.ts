/** @module Project configuration keys: features, limits and LXD 5.0.2's restrictions with their defaults. */
import { defineKeys, type KeyDef } from '../config/key.js'
import { compressionAlgorithms } from '../config/compression.js'
import { isInRange, isOneOf, isSize, type Validator } from '../config/validate.js'

const allowBlock = isOneOf('allow', 'block')
const allowBlockManaged = isOneOf('allow', 'block', 'managed')

/** A comma-separated list whose items each pass `item`. */
const listOf =
  (item: Validator): Validator =>
  (value) => {
    for (const v of value.split(',').map((x) => x.trim())) item(v)
  }

const absolutePath: Validator = (value) => {
  if (!value.startsWith('/') || /[\0\n\r]/.test(value)) throw new Error(`"${value}" is not an absolute path`)
}

/** `1000` or `1000-1999`, within uint32. */
const uint32Range: Validator = (value) => {
  const m = /^(\d+)(?:-(\d+))?$/.exec(value)
  if (!m || Number(m[1]) > 4294967295 || (m[2] !== undefined && Number(m[2]) < Number(m[1])))
    throw new Error(`Invalid ID range "${value}"`)
  if (m[2] !== undefined && Number(m[2]) > 4294967295) throw new Error(`Invalid ID range "${value}"`)
}

const uint32: Validator = isInRange(0, 4294967295)

/** A restriction that is `allow` or `block`, `block` once the project is restricted. */
const blockByDefault = (short: string): KeyDef => ({
  type: 'string',
  default: 'block',
  validate: allowBlock,
  short,
})

/** Keys a project may carry. */
export const projectKeys = defineKeys(
  'project',
  {
    'features.images': { type: 'bool', default: 'true', short: 'Separate set of images and aliases' },
    'features.networks': { type: 'bool', default: 'false', short: 'Separate set of networks' },
    'features.profiles': { type: 'bool', default: 'true', short: 'Separate set of profiles' },
    'features.storage.volumes': { type: 'bool', default: 'true', short: 'Separate set of storage volumes' },
    'images.compression_algorithm': {
      type: 'string',
      validate: isOneOf(...compressionAlgorithms),
      short: "Compression of images published in the project (the server's key when unset)",
    },
    'backups.compression_algorithm': {
      type: 'string',
      validate: isOneOf(...compressionAlgorithms),
      short: "Compression of instance backups in the project (the server's key when unset)",
    },
    'limits.containers': { type: 'integer', validate: uint32, short: 'Maximum number of containers' },
    'limits.virtual-machines': {
      type: 'integer',
      validate: uint32,
      short: 'Maximum number of virtual machines (Corral runs none)',
    },
    'limits.instances': { type: 'integer', validate: uint32, short: 'Maximum number of instances' },
    'limits.cpu': {
      type: 'integer',
      validate: uint32,
      short: 'Maximum sum of the `limits.cpu` of the instances (each must set one)',
    },
    'limits.memory': {
      type: 'string',
      validate: isSize,
      short: 'Maximum sum of the `limits.memory` of the instances (each must set one)',
    },
    'limits.processes': {
      type: 'integer',
      validate: uint32,
      short: 'Maximum sum of the `limits.processes` of the instances (each must set one)',
    },
    'limits.disk': {
      type: 'string',
      validate: isSize,
      short: 'Maximum sum of the root disk `size` of the instances (each must set one)',
    },
    'limits.networks': {
      type: 'integer',
      validate: uint32,
      short: 'Maximum number of networks (restricted projects create none in Corral)',
    },
    restricted: {
      type: 'bool',
      default: 'false',
      short: 'Apply the restricted.* limits to the project',
    },
    'restricted.backups': blockByDefault('`block` prevents creating instance or volume backups'),
    'restricted.cluster.groups': {
      type: 'string',
      short: 'Cluster groups the project may target (Corral is never clustered)',
    },
    'restricted.cluster.target': blockByDefault(
      '`block` prevents targeting cluster members (Corral is never clustered)',
    ),
    'restricted.containers.interception': {
      type: 'string',
      default: 'block',
      validate: isOneOf('allow', 'block', 'full'),
      short: 'Which system call interceptions containers may use (Corral offers none)',
    },
    'restricted.containers.lowlevel': blockByDefault(
      '`block` prevents raw.lxc, raw.idmap outside restricted.idmap.*, raw.seccomp, security.idmap.base/size and other low-level keys',
    ),
    'restricted.containers.nesting': blockByDefault('`block` prevents `security.nesting=true`'),
    'restricted.containers.privilege': {
      type: 'string',
      default: 'unprivileged',
      validate: isOneOf('unprivileged', 'isolated', 'allow'),
      short:
        'With restricted: `unprivileged` (no privileged containers), `isolated` (isolated idmaps forced) or `allow`',
    },
    'restricted.virtual-machines.lowlevel': blockByDefault(
      '`block` prevents low-level virtual-machine keys (Corral runs none)',
    ),
    'restricted.devices.unix-char': blockByDefault('`block` prevents `unix-char` devices'),
    'restricted.devices.unix-block': blockByDefault('`block` prevents `unix-block` devices'),
    'restricted.devices.unix-hotplug': blockByDefault('`block` prevents `unix-hotplug` devices'),
    'restricted.devices.infiniband': blockByDefault('`block` prevents `infiniband` devices'),
    'restricted.devices.gpu': blockByDefault('`block` prevents `gpu` devices'),
    'restricted.devices.usb': blockByDefault('`block` prevents `usb` devices'),
    'restricted.devices.pci': blockByDefault('`block` prevents `pci` devices'),
    'restricted.devices.proxy': blockByDefault('`block` prevents `proxy` devices'),
    'restricted.devices.nic': {
      type: 'string',
      default: 'managed',
      validate: allowBlockManaged,
      short:
        '`managed`: NICs only on managed networks (`network=`); `block`: none; `allow`: also host parents',
    },
    'restricted.devices.disk': {
      type: 'string',
      default: 'managed',
      validate: allowBlockManaged,
      short: '`managed`: disks only from storage pools; `block`: only the root disk; `allow`: host paths too',
    },
    'restricted.devices.disk.paths': {
      type: 'string',
      validate: listOf(absolutePath),
      short: 'With `restricted.devices.disk=allow`: the host paths disk sources must be under (resolved)',
    },
    'restricted.idmap.uid': {
      type: 'string',
      validate: listOf(uint32Range),
      short: 'Host uid ranges `raw.idmap` may map',
    },
    'restricted.idmap.gid': {
      type: 'string',
      validate: listOf(uint32Range),
      short: 'Host gid ranges `raw.idmap` may map',
    },
    'restricted.networks.access': {
      type: 'string',
      short: 'Managed networks the project may attach NICs to (comma-separated; all when unset)',
    },
    'restricted.networks.subnets': {
      type: 'string',
      short: 'Uplink subnets for the project (restricted projects create no networks in Corral)',
    },
    'restricted.networks.uplinks': {
      type: 'string',
      short: 'Uplink networks for the project (restricted projects create no networks in Corral)',
    },
    'restricted.networks.zones': {
      type: 'string',
      short: 'DNS zones for the project (restricted projects create no networks in Corral)',
    },
    'restricted.snapshots': blockByDefault('`block` prevents creating instance or volume snapshots'),
    'user.*': { type: 'string', short: 'Free-form user key' },
  },
  {
    unknown: (key) => `Invalid project configuration key "${key}"`,
    invalid: (key, value, reason) =>
      `Invalid value for project configuration key "${key}" ("${value}"): ${reason}`,
  },
)
