/** @module `init --auto`: LXD's automatic setup (pool `default`, a `corralbr<N>` bridge, the default profile). */
import type { Client } from '@corral/client'
import { emptyPreseed, type Preseed } from './preseed.js'

/** The storage drivers corral's init offers. */
export const initDrivers = ['dir', 'btrfs'] as const

/** `host:port` as LXD's CanonicalNetworkAddressFromAddressAndPort writes it (IPv6 in brackets). */
export function listenAddress(address: string, port: number): string {
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address
  return `${host}:${port}`
}

/** Options of `--auto`. */
export interface AutoOptions {
  storageBackend?: string
  networkAddress?: string
  networkPort?: number
}

/** The first `corralbr<N>` no network or host interface uses. */
export async function freeBridgeName(client: Client): Promise<string> {
  const taken = new Set((await client.networks.list()).map((n) => n.name))
  let i = 0
  while (taken.has(`corralbr${i}`)) i++
  return `corralbr${i}`
}

/** Builds `--auto`'s preseed as lxd's RunAuto does: only what is missing is added. */
export async function autoPreseed(client: Client, opts: AutoOptions): Promise<Preseed> {
  const backend = opts.storageBackend ?? ''
  if (backend !== '' && !(initDrivers as readonly string[]).includes(backend))
    throw new Error(`The requested backend '${backend}' isn't supported by corral init`)
  if (opts.networkAddress === undefined && opts.networkPort !== undefined)
    throw new Error("--network-port can't be used without --network-address")
  const seed = emptyPreseed()
  const pools = await client.storagePools.list()
  if (pools.length > 0 && backend !== '') throw new Error('Storage has already been configured')
  if (opts.networkAddress !== undefined)
    seed.config['core.https_address'] = listenAddress(opts.networkAddress, opts.networkPort ?? 8443)
  const devices: Record<string, Record<string, string>> = {}
  if (pools.length === 0) {
    seed.storage_pools.push({ name: 'default', driver: backend || 'dir', config: {}, description: '' })
    devices.root = { type: 'disk', path: '/', pool: 'default' }
  }
  const managed = (await client.networks.list()).filter((n) => n.managed)
  const { profile } = await client.profiles.get('default')
  const hasNic = Object.values(profile.devices ?? {}).some((d) => d.type === 'nic')
  if (managed.length === 0 && !hasNic) {
    const name = await freeBridgeName(client)
    seed.networks.push({
      name,
      type: '',
      description: '',
      config: { 'ipv4.address': 'auto', 'ipv6.address': 'auto' },
      project: 'default',
    })
    devices.eth0 = { type: 'nic', network: name, name: 'eth0' }
  }
  if (Object.keys(devices).length > 0)
    seed.profiles.push({ name: 'default', description: '', config: {}, devices })
  return seed
}
