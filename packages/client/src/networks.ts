/** @module /1.0/networks: list, get, create, update, rename, delete, state, leases. */
import type { Network, NetworkLease, NetworkPut, NetworkState, NetworksPost } from '@corral/api'
import { collection } from './collection.js'
import type { Requester } from './requester.js'

/** Network endpoints bound to one requester (and so one project). */
export interface NetworksApi {
  /** GET /1.0/networks?recursion=1 (managed networks and host interfaces). */
  list(): Promise<Network[]>
  /** GET /1.0/networks/{name}, with its ETag. */
  get(name: string): Promise<{ network: Network; etag?: string }>
  /** POST /1.0/networks. */
  create(body: NetworksPost): Promise<void>
  /** PUT /1.0/networks/{name} (If-Match when an ETag is given). */
  put(name: string, body: NetworkPut, etag?: string): Promise<void>
  /** PATCH /1.0/networks/{name}. */
  patch(name: string, body: Partial<NetworkPut>, etag?: string): Promise<void>
  /** POST /1.0/networks/{name} with the new name. */
  rename(name: string, newName: string): Promise<void>
  /** DELETE /1.0/networks/{name}. */
  delete(name: string): Promise<void>
  /** GET /1.0/networks/{name}/state. */
  state(name: string): Promise<NetworkState>
  /** GET /1.0/networks/{name}/leases. */
  leases(name: string): Promise<NetworkLease[]>
}

/** Builds the network endpoints. */
export function networksApi(r: Requester): NetworksApi {
  const common = collection<Network, NetworkPut, NetworksPost>(r, 'networks')
  return {
    ...common,
    async get(name) {
      const { metadata, etag } = await common.fetch(name)
      return { network: metadata, etag }
    },
    async state(name) {
      return (await r.call<NetworkState>('GET', `${common.path(name)}/state`)).metadata
    },
    async leases(name) {
      return (await r.call<NetworkLease[]>('GET', `${common.path(name)}/leases`)).metadata ?? []
    },
  }
}
