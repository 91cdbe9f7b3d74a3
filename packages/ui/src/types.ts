/** @module The parts of LXD's wire objects the pages read (LXD's JSON as it is). */

/** An address on an instance's interface. */
export interface Address {
  family: string
  address: string
  netmask: string
  scope: string
}

/** GET /1.0/instances/<name>/state. */
export interface InstanceState {
  status: string
  status_code: number
  pid: number
  processes: number
  cpu?: { usage: number }
  memory?: { usage: number; usage_peak?: number }
  network?: Record<string, { addresses: Address[]; hwaddr?: string; host_name?: string }> | null
}

/** GET /1.0/instances/<name> (recursion=2 adds state and snapshots). */
export interface Instance {
  name: string
  description: string
  status: string
  status_code: number
  type: string
  architecture: string
  created_at: string
  last_used_at: string
  ephemeral: boolean
  stateful: boolean
  profiles: string[]
  config: Record<string, string>
  devices: Record<string, Record<string, string>>
  expanded_config?: Record<string, string>
  expanded_devices?: Record<string, Record<string, string>>
  project?: string
  location?: string
  state?: InstanceState | null
}

/** The server root as an untrusted or trusted caller sees it. */
export interface Server {
  auth: 'trusted' | 'untrusted'
  auth_methods?: string[]
  api_extensions: string[]
  api_version: string
  environment?: { server_name?: string; server_version?: string; project?: string }
  config?: Record<string, string>
}

/** A project. */
export interface Project {
  name: string
  description: string
  config: Record<string, string>
}

/** An image. */
export interface Image {
  fingerprint: string
  filename: string
  size: number
  architecture: string
  public: boolean
  type: string
  uploaded_at: string
  aliases: { name: string; description: string }[]
  properties: Record<string, string>
}
