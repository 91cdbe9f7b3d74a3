/** @module Storage volume wire types (shared/api/storage_pool_volume.go, storage_pool_volume_snapshot.go). */

/** Body of PUT/PATCH /1.0/storage-pools/{pool}/volumes/{type}/{name}. */
export interface StorageVolumePut {
  config: Record<string, string>
  description: string
  /** The snapshot to restore (PUT only). */
  restore?: string
}

/** Where a new volume's content comes from (`copy` of another volume). */
export interface StorageVolumeSource {
  name: string
  type: string
  pool: string
  volume_only?: boolean
  refresh?: boolean
  project?: string
}

/** Body of POST /1.0/storage-pools/{pool}/volumes/{type}. */
export interface StorageVolumesPost extends StorageVolumePut {
  name: string
  type: string
  content_type?: string
  source?: StorageVolumeSource
}

/** Body of POST /1.0/storage-pools/{pool}/volumes/{type}/{name}: rename, move to a pool or project. */
export interface StorageVolumePost {
  name: string
  pool?: string
  project?: string
  migration?: boolean
}

/** A storage volume as GET returns it. */
export interface StorageVolume extends StorageVolumePut {
  name: string
  /** `custom`, `container` or `image`. */
  type: string
  used_by: string[]
  location: string
  content_type: string
  project: string
  created_at: string
}

/** A custom volume snapshot as GET returns it. */
export interface StorageVolumeSnapshot {
  name: string
  description: string
  config: Record<string, string>
  content_type: string
  created_at: string
  expires_at: string | null
}

/** GET /1.0/storage-pools/{pool}/volumes/{type}/{name}/state. */
export interface StorageVolumeState {
  usage: { used: number; total: number } | null
}
