/** @module Host resources wire types (shared/api/resource.go), the parts corrald fills. */

/** One hardware thread of a core. */
export interface ResourcesCPUThread {
  id: number
  numa_node: number
  thread: number
  online: boolean
  isolated: boolean
}

/** One core of a socket. */
export interface ResourcesCPUCore {
  core: number
  die: number
  threads: ResourcesCPUThread[]
  frequency?: number
}

/** One CPU socket. */
export interface ResourcesCPUSocket {
  name?: string
  vendor?: string
  socket: number
  cores: ResourcesCPUCore[]
  frequency?: number
}

/** A network card port (an interface). */
export interface ResourcesNetworkCardPort {
  id: string
  address?: string
  port: number
  protocol: string
  auto_negotiation: boolean
  link_detected: boolean
}

/** A physical network card. */
export interface ResourcesNetworkCard {
  driver?: string
  numa_node: number
  pci_address?: string
  ports?: ResourcesNetworkCardPort[]
}

/** A disk's partition. */
export interface ResourcesStorageDiskPartition {
  id: string
  device: string
  read_only: boolean
  size: number
  partition: number
}

/** A physical disk. */
export interface ResourcesStorageDisk {
  id: string
  device: string
  model?: string
  type?: string
  read_only: boolean
  size: number
  removable: boolean
  numa_node: number
  block_size: number
  rpm: number
  device_id: string
  partitions: ResourcesStorageDiskPartition[]
}

/** GET /1.0/resources. */
export interface Resources {
  cpu: { architecture: string; sockets: ResourcesCPUSocket[]; total: number }
  memory: {
    hugepages_total: number
    hugepages_used: number
    hugepages_size: number
    used: number
    total: number
  }
  gpu: { cards: unknown[]; total: number }
  network: { cards: ResourcesNetworkCard[]; total: number }
  storage: { disks: ResourcesStorageDisk[]; total: number }
  usb: { devices: unknown[]; total: number }
  pci: { devices: unknown[]; total: number }
  system: Record<string, unknown>
}
