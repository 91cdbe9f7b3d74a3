/** @module /1.0/storage-pools: list, get, create, update, delete, resources. */
import type { ResourcesStoragePool, StoragePool, StoragePoolPut, StoragePoolsPost } from '@corral/api'
import { collection } from './collection.js'
import type { Requester } from './requester.js'

/** Storage pool endpoints bound to one requester. */
export interface StoragePoolsApi {
  /** GET /1.0/storage-pools?recursion=1. */
  list(): Promise<StoragePool[]>
  /** GET /1.0/storage-pools/{name}, with its ETag. */
  get(name: string): Promise<{ pool: StoragePool; etag?: string }>
  /** POST /1.0/storage-pools. */
  create(body: StoragePoolsPost): Promise<void>
  /** PUT /1.0/storage-pools/{name}. */
  put(name: string, body: StoragePoolPut, etag?: string): Promise<void>
  /** DELETE /1.0/storage-pools/{name}. */
  delete(name: string): Promise<void>
  /** GET /1.0/storage-pools/{name}/resources. */
  resources(name: string): Promise<ResourcesStoragePool>
}

/** Builds the storage pool endpoints. */
export function storagePoolsApi(r: Requester): StoragePoolsApi {
  const common = collection<StoragePool, StoragePoolPut, StoragePoolsPost>(r, 'storage-pools')
  return {
    ...common,
    async get(name) {
      const { metadata, etag } = await common.fetch(name)
      return { pool: metadata, etag }
    },
    async resources(name) {
      return (await r.call<ResourcesStoragePool>('GET', `${common.path(name)}/resources`)).metadata
    },
  }
}
