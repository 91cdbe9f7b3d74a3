/** @module Instance wire types (shared/api/instance.go, instance_state.go, instance_snapshot.go). */
import type { InstanceBackup } from './backup.js'
import type { Devices } from './profile.js'

/** Body of PUT /1.0/instances/{name}. */
export interface InstancePut {
  architecture: string
  config: Record<string, string>
  devices: Devices
  ephemeral: boolean
  profiles: string[]
  stateful: boolean
  description: string
  /** Snapshot name to restore (PUT only). */
  restore?: string
}

/** An instance as GET returns it. */
export interface Instance extends InstancePut {
  created_at: string
  expanded_config: Record<string, string>
  expanded_devices: Devices
  name: string
  status: string
  status_code: number
  last_used_at: string
  location: string
  type: 'container'
  project: string
}

/** The live state of an instance. */
export interface InstanceState {
  status: string
  status_code: number
  disk: Record<string, unknown>
  memory: { usage: number; usage_peak: number; swap_usage: number; swap_usage_peak: number }
  network: Record<string, unknown> | null
  pid: number
  processes: number
  cpu: { usage: number }
}

/** A snapshot as GET returns it. */
export interface InstanceSnapshot {
  architecture: string
  config: Record<string, string>
  created_at: string
  devices: Devices
  ephemeral: boolean
  expanded_config: Record<string, string>
  expanded_devices: Devices
  expires_at: string
  last_used_at: string
  name: string
  profiles: string[]
  stateful: boolean
  size: number
}

/** An instance with state and snapshots (recursion=2). */
export interface InstanceFull extends Instance {
  state: InstanceState
  snapshots: InstanceSnapshot[] | null
  /** null when there are none, as LXD renders it. */
  backups: InstanceBackup[] | null
}

/** Body of PUT /1.0/instances/{name}/state. */
export interface InstanceStatePut {
  action: 'start' | 'stop' | 'restart' | 'freeze' | 'unfreeze'
  timeout: number
  force: boolean
  stateful: boolean
}
