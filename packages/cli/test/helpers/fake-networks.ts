/** @module The fake LXD's /1.0/networks (managed bridges and host interfaces) and storage pool writes. */
import {
  ApiError,
  syncEnvelope,
  type Network,
  type NetworkLease,
  type NetworkState,
  type StoragePool,
} from '@corral/api'
import type { TransportResponse } from '@corral/client'

/** Networks, leases and states of one fake server. */
export interface FakeNetworks {
  networks: Map<string, Network>
  leases: Map<string, NetworkLease[]>
  states: Map<string, NetworkState>
}

const worlds = new WeakMap<object, FakeNetworks>()

/** The network state of a fake LXD (created on first use with `eth0` and `lo`). */
export function fakeNetworks(lxd: object): FakeNetworks {
  let n = worlds.get(lxd)
  if (!n) {
    n = { networks: new Map(), leases: new Map(), states: new Map() }
    for (const [name, type] of [
      ['eth0', 'physical'],
      ['lo', 'loopback'],
    ] as const)
      n.networks.set(name, hostInterface(name, type))
    worlds.set(lxd, n)
  }
  return n
}

/** A host interface as the networks list shows it. */
export function hostInterface(name: string, type: string): Network {
  return {
    config: {},
    description: '',
    name,
    type,
    used_by: [],
    managed: false,
    status: '',
    locations: ['none'],
  }
}

const known = /^(ipv[46]\.(address|nat|routing|dhcp|dhcp\.ranges|firewall)|dns\.domain|bridge\.mtu|user\..+)$/
const cidr = /^(auto|none|[0-9a-f.:]+\/\d+)$/

function validate(config: Record<string, string>): void {
  for (const [k, v] of Object.entries(config)) {
    if (!known.test(k)) throw new ApiError(400, `Invalid option "${k}"`)
    if (/^ipv[46]\.address$/.test(k) && !cidr.test(v))
      throw new ApiError(400, `Invalid value for network option "${k}": Not an IP address "${v}"`)
  }
}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' && v !== '' ? v : fallback)

const ok = (metadata: unknown, headers: Record<string, string> = {}): TransportResponse => ({
  status: 200,
  headers,
  body: JSON.stringify(syncEnvelope(metadata)),
})

/** Answers /1.0/networks requests and storage pool writes; undefined for anything else. */
export function routeNetworks(
  lxd: { pools: StoragePool[] },
  method: string,
  p: string,
  b: Record<string, unknown>,
): TransportResponse | undefined {
  const n = fakeNetworks(lxd)
  if (p === '/1.0/storage-pools' && method === 'POST') {
    if (lxd.pools.some((x) => x.name === b.name)) throw new ApiError(409, 'Storage pool already exists')
    if (b.driver === 'bogus') throw new ApiError(400, 'Storage pool driver "bogus" is not supported')
    lxd.pools.push({
      name: String(b.name),
      driver: String(b.driver),
      config: (b.config as Record<string, string>) ?? {},
      description: str(b.description),
      used_by: [],
      status: 'Created',
      locations: ['none'],
    })
    return ok({})
  }
  let m = /^\/1\.0\/storage-pools\/([^/]+)$/.exec(p)
  if (m && (method === 'PUT' || method === 'DELETE')) {
    const name = decodeURIComponent(m[1]!)
    const pool = lxd.pools.find((x) => x.name === name)
    if (!pool) throw new ApiError(404, 'Storage pool not found')
    if (method === 'DELETE') lxd.pools.splice(lxd.pools.indexOf(pool), 1)
    else Object.assign(pool, { config: b.config ?? {}, description: b.description ?? '' })
    return ok({})
  }
  if (p === '/1.0/networks' && method === 'GET') return ok([...n.networks.values()])
  if (p === '/1.0/networks' && method === 'POST') {
    const name = str(b.name)
    if (name === '') throw new ApiError(400, 'No name provided')
    if (n.networks.has(name)) throw new ApiError(409, 'The network already exists')
    const type = str(b.type, 'bridge')
    if (type !== 'bridge') throw new ApiError(400, `Network type "${type}" is not supported (only "bridge")`)
    const given = (b.config as Record<string, string>) ?? {}
    validate(given)
    const config: Record<string, string> =
      given['ipv4.address'] === undefined && given['ipv6.address'] === undefined
        ? { 'ipv4.address': 'auto', 'ipv6.address': 'auto', ...given }
        : { ...given }
    for (const [k, v] of Object.entries(config))
      if (v === 'auto') config[k] = k.startsWith('ipv4') ? '10.1.2.1/24' : 'fd42:1:2:3::1/64'
    n.networks.set(name, {
      config,
      description: str(b.description),
      name,
      type,
      used_by: [],
      managed: true,
      status: 'Created',
      locations: ['none'],
    })
    return ok({})
  }
  m = /^\/1\.0\/networks\/([^/]+)(\/state|\/leases)?$/.exec(p)
  if (!m) return undefined
  const name = decodeURIComponent(m[1]!)
  const net = n.networks.get(name)
  if (!net) throw new ApiError(404, 'Network not found')
  if (m[2] === '/state') {
    const s = n.states.get(name)
    if (!s) throw new ApiError(404, 'Network not found')
    return ok(s)
  }
  if (m[2] === '/leases') {
    if (!net.managed) throw new ApiError(404, 'Network not found')
    return ok(n.leases.get(name) ?? [])
  }
  if (method === 'GET') return ok(net, { etag: `n-${JSON.stringify(net.config).length}` })
  if (!net.managed) throw new ApiError(404, 'Network not found')
  if (method === 'PUT' || method === 'PATCH') {
    validate((b.config as Record<string, string>) ?? {})
    const config = Object.fromEntries(
      Object.entries({ ...(method === 'PATCH' ? net.config : {}), ...((b.config as object) ?? {}) }).filter(
        ([, v]) => v !== '',
      ),
    ) as Record<string, string>
    validate(config)
    net.config = config
    if (typeof b.description === 'string') net.description = b.description
    return ok({})
  }
  if (method === 'DELETE' || method === 'POST') {
    if (net.used_by.length > 0)
      throw new ApiError(
        400,
        method === 'POST' ? 'Cannot rename a network that is in use' : 'The network is currently in use',
      )
    n.networks.delete(name)
    if (method === 'POST') n.networks.set(String(b.name), { ...net, name: String(b.name) })
    return ok({})
  }
  return undefined
}
