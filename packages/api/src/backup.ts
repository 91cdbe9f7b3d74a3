/** @module Instance backups as LXD 5.0.2 sends them (GET /1.0/instances/{name}/backups). */

/** One backup of an instance. */
export interface InstanceBackup {
  name: string
  created_at: string
  expires_at: string
  instance_only: boolean
  container_only: boolean
  optimized_storage: boolean
}
