/** @module Server wire types for GET/PUT /1.0 (shared/api/server.go). */

/**
 * A server config map on the wire. A hidden key (core.trust_password) reads as `true` when set,
 * and `true` written back means "keep it", as in LXD 5.0.2.
 */
export type ServerConfig = Record<string, string | true>

/** Body of PUT/PATCH /1.0. */
export interface ServerPut {
  config: ServerConfig
}

/** What an untrusted client sees of GET /1.0. */
export interface ServerUntrusted {
  api_extensions: string[]
  api_status: string
  api_version: string
  auth: 'trusted' | 'untrusted'
  public: boolean
  auth_methods: string[]
}

/** The environment block of a trusted GET /1.0. */
export interface ServerEnvironment {
  addresses: string[]
  architectures: string[]
  certificate: string
  certificate_fingerprint: string
  driver: string
  driver_version: string
  firewall: string
  kernel: string
  kernel_architecture: string
  kernel_features: Record<string, string>
  kernel_version: string
  lxc_features: Record<string, string>
  os_name: string
  os_version: string
  project: string
  server: string
  server_clustered: boolean
  server_event_mode: string
  server_name: string
  server_pid: number
  server_version: string
  server_lts: boolean
  server_support_end: string
  storage: string
  storage_version: string
  storage_supported_drivers: { Name: string; Version: string; Remote: boolean }[]
}

/** A trusted GET /1.0. */
export interface Server extends ServerUntrusted, ServerPut {
  auth_user_name: string
  auth_user_method: string
  environment: ServerEnvironment
}
