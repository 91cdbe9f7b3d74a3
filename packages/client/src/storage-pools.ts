/** @module /1.0/storage-pools: list, get, create, update, delete, resources. */
import type { ResourcesStoragePool, StoragePool, StoragePoolPut, StoragePoolsPost } from '@corral/api'
import { namedCollection, type NamedCollection } from './collection.js'
import type { Requester } from './requester.js'

/** Storage pool endpoints bound to one requester (no patch or rename: the CLI uses neither). */
export type StoragePoolsApi = Omit<
  NamedCollection<StoragePool, StoragePoolPut, StoragePoolsPost, 'pool'>,
  'patch' | 'rename'
> & {
  /** GET /1.0/storage-pools/{name}/resources. */
  resources(name: string): Promise<ResourcesStoragePool>
}

/** Builds the storage pool endpoints. */
export function storagePoolsApi(r: Requester): StoragePoolsApi {
  const common = namedCollection<StoragePool, StoragePoolPut, StoragePoolsPost, 'pool'>(
    r,
    'storage-pools',
    'pool',
  )
  return {
    ...common,
    async resources(name) {
      return (await r.call<ResourcesStoragePool>('GET', `${common.path(name)}/resources`)).metadata
    },
  }
}
