/** @module Storage pool wire types (shared/api/storage_pool.go). */

/** Body of PUT/PATCH /1.0/storage-pools/{name}. */
export interface StoragePoolPut {
  config: Record<string, string>
  description: string
}

/** Body of POST /1.0/storage-pools. */
export interface StoragePoolsPost extends StoragePoolPut {
  name: string
  driver: string
}

/** A storage pool as GET returns it. */
export interface StoragePool extends StoragePoolPut {
  name: string
  driver: string
  used_by: string[]
  /** `Created`, or `Unavailable` when the pool could not be mounted at start. */
  status: string
  locations: string[]
}

/** GET /1.0/storage-pools/{name}/resources. */
export interface ResourcesStoragePool {
  space: { used: number; total: number }
  inodes: { used: number; total: number }
}
