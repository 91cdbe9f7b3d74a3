/** @module /1.0/networks: list, get, create, update, rename, delete, state, leases. */
import type { Network, NetworkLease, NetworkPut, NetworkState, NetworksPost } from '@corral/api'
import { namedCollection, type NamedCollection } from './collection.js'
import type { Requester } from './requester.js'

/** Network endpoints bound to one requester (and so one project); list includes host interfaces. */
export type NetworksApi = NamedCollection<Network, NetworkPut, NetworksPost, 'network'> & {
  /** GET /1.0/networks/{name}/state. */
  state(name: string): Promise<NetworkState>
  /** GET /1.0/networks/{name}/leases. */
  leases(name: string): Promise<NetworkLease[]>
}

/** Builds the network endpoints. */
export function networksApi(r: Requester): NetworksApi {
  const common = namedCollection<Network, NetworkPut, NetworksPost, 'network'>(r, 'networks', 'network')
  return {
    ...common,
    async state(name) {
      return (await r.call<NetworkState>('GET', `${common.path(name)}/state`)).metadata
    },
    async leases(name) {
      return (await r.call<NetworkLease[]>('GET', `${common.path(name)}/leases`)).metadata ?? []
    },
  }
}
