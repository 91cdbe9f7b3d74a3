/** @module LXD 5.0.2's Go structs for each wire object: field order and field types, for YAML/JSON output. */
import type { Operation, Profile, Project, Server } from '@corral/api'
import { mapOrEmpty, struct, time, type GoStruct } from './go-value.js'

/** api.Profile. */
export function profileShape(p: Profile): GoStruct {
  return struct(p, ['config', 'description', 'devices', 'name', 'used_by'], {
    config: mapOrEmpty,
    devices: mapOrEmpty,
    used_by: (v) => v ?? [],
  })
}

/** api.Project. */
export function projectShape(p: Project): GoStruct {
  return struct(p, ['config', 'description', 'name', 'used_by'], {
    config: mapOrEmpty,
    used_by: (v) => v ?? [],
  })
}

/** api.Operation as YAML prints it (times unquoted, a nil resources map as `{}`). */
export function operationShape(op: Operation, forJson = false): GoStruct {
  const fields = [
    'id',
    'class',
    'description',
    'created_at',
    'updated_at',
    'status',
    'status_code',
    'resources',
    'metadata',
    'may_cancel',
    'err',
    'location',
  ]
  return struct(
    op,
    fields,
    forJson ? {} : { created_at: time, updated_at: time, resources: mapOrEmpty, metadata: mapOrEmpty },
  )
}

const environmentFields = [
  'addresses',
  'architectures',
  'certificate',
  'certificate_fingerprint',
  'driver',
  'driver_version',
  'firewall',
  'kernel',
  'kernel_architecture',
  'kernel_features',
  'kernel_version',
  'lxc_features',
  'os_name',
  'os_version',
  'project',
  'server',
  'server_clustered',
  'server_event_mode',
  'server_name',
  'server_pid',
  'server_version',
  'server_lts',
  'server_support_end',
  'storage',
  'storage_version',
  'storage_supported_drivers',
]

/** api.Server (GET /1.0): config first, then the untrusted fields, then the environment. */
export function serverShape(s: Server): GoStruct {
  const fields = ['config', 'api_extensions', 'api_status', 'api_version', 'auth', 'public', 'auth_methods']
  return struct(s, [...fields, 'auth_user_name', 'auth_user_method', 'environment'], {
    config: mapOrEmpty,
    environment: (env) =>
      env && typeof env === 'object'
        ? struct(env, environmentFields, {
            kernel_features: mapOrEmpty,
            lxc_features: mapOrEmpty,
            // This struct has no yaml tags in LXD, so go-yaml lowercases its field names.
            storage_supported_drivers: (v) =>
              Array.isArray(v)
                ? v.map((d: object) => new Map(Object.entries(d).map(([k, x]) => [k.toLowerCase(), x])))
                : v,
          })
        : env,
  })
}
