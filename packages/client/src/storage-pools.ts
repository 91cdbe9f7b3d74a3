/** @module /1.0/storage-pools: list, get, create, update, delete, resources. */
import type { ResourcesStoragePool, StoragePool, StoragePoolPut, StoragePoolsPost } from '@corral/api'
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

const path = (name: string): string => `/1.0/storage-pools/${encodeURIComponent(name)}`

/** Builds the storage pool endpoints. */
export function storagePoolsApi(r: Requester): StoragePoolsApi {
  return {
    async list() {
      return (await r.call<StoragePool[]>('GET', '/1.0/storage-pools?recursion=1')).metadata ?? []
    },
    async get(name) {
      const { metadata, etag } = await r.call<StoragePool>('GET', path(name))
      return { pool: metadata, etag }
    },
    async create(body) {
      await r.call('POST', '/1.0/storage-pools', body)
    },
    async put(name, body, etag) {
      await r.call('PUT', path(name), body, { etag })
    },
    async delete(name) {
      await r.call('DELETE', path(name))
    },
    async resources(name) {
      return (await r.call<ResourcesStoragePool>('GET', `${path(name)}/resources`)).metadata
    },
  }
}
