/** @module Network wire types (shared/api/network.go, network_state.go, network_lease.go). */

/** Body of PUT/PATCH /1.0/networks/{name}. */
export interface NetworkPut {
  config: Record<string, string>
  description: string
}

/** Body of POST /1.0/networks. */
export interface NetworksPost extends NetworkPut {
  name: string
  type: string
}

/** A network as GET returns it; host interfaces are listed too, with `managed: false`. */
export interface Network extends NetworkPut {
  name: string
  type: string
  managed: boolean
  /** `Created` for a managed network that is up, `Errored` when its setup failed at start. */
  status: string
  used_by: string[]
  locations: string[]
}

/** One address of GET /1.0/networks/{name}/state. */
export interface NetworkStateAddress {
  family: 'inet' | 'inet6'
  address: string
  netmask: string
  scope: string
}

/** GET /1.0/networks/{name}/state. */
export interface NetworkState {
  addresses: NetworkStateAddress[]
  counters: {
    bytes_received: number
    bytes_sent: number
    packets_received: number
    packets_sent: number
  }
  hwaddr: string
  mtu: number
  state: 'up' | 'down'
  type: string
  bond: null
  bridge: {
    id: string
    stp: boolean
    forward_delay: number
    vlan_default: number
    vlan_filtering: boolean
    upper_devices: string[]
  } | null
  vlan: null
}

/** One entry of GET /1.0/networks/{name}/leases. */
export interface NetworkLease {
  hostname: string
  hwaddr: string
  address: string
  /** `static` (from a NIC's ipvN.address), `dynamic` (from the lease file) or `gateway`. */
  type: string
  location: string
}
