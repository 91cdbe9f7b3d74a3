/** @module Managed networks: validation, host setup, DB rows, used_by, leases and lifecycle events. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Network, NetworkLease, NetworkState, Requestor } from '@corral/api'
import { ApiError, badRequest, conflict, notFound } from '@corral/api'
import { listInstances } from '../db/instances.js'
import { networkOf } from '../device/registry.js'
import * as db from '../db/networks.js'
import { dnsmasqFiles } from '../dnsmasq/args.js'
import { parseHostsLine } from '../dnsmasq/hosts.js'
import { parseLeases } from '../dnsmasq/leases.js'
import { entityUrl, publishLifecycle } from '../events/lifecycle.js'
import { bridgePorts, ipJson, linkExists, readLinkFile } from '../host/net.js'
import type { State } from '../state.js'
import { withoutEmpty } from '../util/config-map.js'
import { formatIp, parseCidr, parseIp, type Cidr, type Family } from '../util/ip.js'
import { networkDir, setupBridge, teardownBridge } from './bridge.js'
import { bridgeSubnet, pickSubnet, validateBridgeConfig, validateNetworkName } from './bridge-config.js'

export type { NetworkRecord } from '../db/networks.js'

/** What POST creates and PUT/PATCH replace. */
export interface NetworkContent {
  description: string
  config: Record<string, string>
}

interface IpAddrInfo {
  ifname: string
  address?: string
  mtu?: number
  operstate?: string
  link_type?: string
  stats64?: { rx: { bytes: number; packets: number }; tx: { bytes: number; packets: number } }
  addr_info?: { family: string; local: string; prefixlen: number; scope: string }[]
}

/** The host's subnets in use (addresses and routes), except those of the interface `skip`. */
async function hostSubnets(state: State, skip: string): Promise<Cidr[]> {
  const out: Cidr[] = []
  const addrs = await ipJson<IpAddrInfo[]>(state.host, ['addr', 'show'])
  for (const link of addrs) {
    if (link.ifname === skip) continue
    for (const a of link.addr_info ?? []) {
      if (a.scope !== 'global') continue
      const c = parseCidr(`${a.local}/${a.prefixlen}`)
      if (c) out.push(c)
    }
  }
  for (const family of ['-4', '-6']) {
    const routes = await ipJson<{ dst: string; dev?: string }[]>(state.host, [family, 'route', 'show'])
    for (const r of routes) {
      if (r.dev === skip || r.dst === 'default') continue
      const c = parseCidr(r.dst.includes('/') ? r.dst : `${r.dst}/${r.dst.includes(':') ? 128 : 32}`)
      if (c) out.push(c)
    }
  }
  return out
}

/** Every subnet another managed network or the host uses (what a new subnet must not overlap). */
async function subnetsInUse(state: State, except: string): Promise<Cidr[]> {
  const managed = db
    .listNetworks(state.db)
    .filter((n) => n.name !== except)
    .flatMap((n) => [bridgeSubnet(n.config, 4), bridgeSubnet(n.config, 6)])
    .filter((s) => s !== undefined)
    .map((s) => s.cidr)
  return [...managed, ...(await hostSubnets(state, except))]
}

/** Replaces `auto` addresses with a free subnet, as LXD stores the chosen one. */
function resolveAuto(config: Record<string, string>, used: readonly Cidr[]): Record<string, string> {
  const out = { ...config }
  for (const family of [4, 6] as Family[]) {
    if (out[`ipv${family}.address`] === 'auto') out[`ipv${family}.address`] = pickSubnet(family, used)
  }
  return out
}

/** The API URLs of instances and profiles with a NIC on this network. */
export function networkUsedBy(state: State, name: string): string[] {
  const uses = (d: Record<string, string>) => networkOf(d) === name
  return db
    .listDeviceOwners(state.db)
    .filter((o) => Object.values(o.devices).some(uses))
    .map((o) => entityUrl(`/1.0/${o.kind}/${o.name}`, o.project))
}

/** The wire form of a managed network. */
export function toApiNetwork(state: State, n: db.NetworkRecord): Network {
  return {
    name: n.name,
    type: n.type,
    description: n.description,
    config: n.config,
    managed: true,
    status: state.networks.errors.has(n.name) ? 'Errored' : 'Created',
    used_by: networkUsedBy(state, n.name),
    locations: ['none'],
  }
}

/** The writable part of a network, whose hash is its ETag. */
export function networkEtagSource(n: db.NetworkRecord): unknown {
  return [n.name, n.type, n.description, n.config]
}

/** Host interfaces that are not managed networks, as LXD lists them (`managed: false`). */
export async function unmanagedNetworks(state: State): Promise<Network[]> {
  const managed = new Set(db.listNetworks(state.db).map((n) => n.name))
  const links = await ipJson<(IpAddrInfo & { linkinfo?: { info_kind?: string } })[]>(state.host, [
    '-d',
    'link',
    'show',
  ])
  return links
    .filter((l) => !managed.has(l.ifname))
    .map((l) => ({
      name: l.ifname,
      type:
        l.link_type === 'loopback' ? 'loopback' : l.linkinfo?.info_kind === 'bridge' ? 'bridge' : 'physical',
      description: '',
      config: {},
      managed: false,
      status: '',
      used_by: [],
      locations: ['none'],
    }))
}

/** Creates a managed bridge: checks, row, then the host side (row removed again if that fails). */
export async function createNetwork(
  state: State,
  req: NetworkContent & { name: string; type: string },
  requestor: Requestor,
): Promise<void> {
  validateNetworkName(req.name)
  const type = req.type || 'bridge'
  if (type !== 'bridge') throw badRequest(`Network type "${type}" is not supported (only "bridge")`)
  if (db.findNetwork(state.db, req.name)) throw conflict('The network already exists')
  if (linkExists(req.name)) throw conflict(`An interface named "${req.name}" already exists on the host`)
  const used = await subnetsInUse(state, req.name)
  // LXD fills in both families when neither is given.
  const defaults: Record<string, string> =
    req.config['ipv4.address'] === undefined && req.config['ipv6.address'] === undefined
      ? { 'ipv4.address': 'auto', 'ipv6.address': 'auto' }
      : {}
  const config = resolveAuto({ ...defaults, ...withoutEmpty(req.config) }, used)
  validateBridgeConfig(config, used)
  const record = db.createNetwork(state.db, { name: req.name, type, description: req.description, config })
  try {
    await setupBridge(state, record, state.networks.dnsmasq)
  } catch (err) {
    db.deleteNetwork(state.db, record.id)
    throw setupError(err)
  }
  publishLifecycle(state.events, 'network-created', `/1.0/networks/${req.name}`, { requestor })
}

/** A host setup failure as the API reports it. */
function setupError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  return badRequest(`Failed to set up the network: ${err instanceof Error ? err.message : String(err)}`)
}

/** Applies new content; on a host failure the old config is applied again and the row restored. */
export async function updateNetwork(
  state: State,
  current: db.NetworkRecord,
  next: NetworkContent,
  requestor: Requestor,
): Promise<void> {
  // An empty value unsets the key, as in LXD (`network unset` sends it that way).
  const config = resolveAuto(withoutEmpty(next.config), await subnetsInUse(state, current.name))
  validateBridgeConfig(config, await subnetsInUse(state, current.name))
  db.updateNetwork(state.db, current.id, { description: next.description, config })
  try {
    await setupBridge(state, { ...current, config }, state.networks.dnsmasq)
    state.networks.errors.delete(current.name)
  } catch (err) {
    db.updateNetwork(state.db, current.id, current)
    await setupBridge(state, current, state.networks.dnsmasq).catch(() => {})
    throw setupError(err)
  }
  publishLifecycle(state.events, 'network-updated', `/1.0/networks/${current.name}`, { requestor })
}

/** Renames an unused network: the bridge is recreated under the new name. */
export async function renameNetwork(
  state: State,
  current: db.NetworkRecord,
  name: string,
  requestor: Requestor,
): Promise<void> {
  validateNetworkName(name)
  if (networkUsedBy(state, current.name).length > 0)
    throw badRequest('Cannot rename a network that is in use')
  if (db.findNetwork(state.db, name)) throw conflict(`Network "${name}" already exists`)
  if (linkExists(name)) throw conflict(`An interface named "${name}" already exists on the host`)
  await teardownBridge(state, current.name, state.networks.dnsmasq)
  db.renameNetwork(state.db, current.id, name)
  try {
    await setupBridge(state, { ...current, name }, state.networks.dnsmasq)
  } catch (err) {
    db.renameNetwork(state.db, current.id, current.name)
    await setupBridge(state, current, state.networks.dnsmasq).catch(() => {})
    throw setupError(err)
  }
  publishLifecycle(state.events, 'network-renamed', `/1.0/networks/${name}`, {
    requestor,
    context: { old_name: current.name },
  })
}

/** Deletes an unused network and everything it made on the host. */
export async function deleteNetwork(
  state: State,
  current: db.NetworkRecord,
  requestor: Requestor,
): Promise<void> {
  if (networkUsedBy(state, current.name).length > 0) throw badRequest('The network is currently in use')
  await teardownBridge(state, current.name, state.networks.dnsmasq)
  db.deleteNetwork(state.db, current.id)
  state.networks.errors.delete(current.name)
  publishLifecycle(state.events, 'network-deleted', `/1.0/networks/${current.name}`, { requestor })
}

/** Sets up every managed network at daemon start; a failure marks that network Errored. */
export async function startNetworks(state: State): Promise<void> {
  for (const n of db.listNetworks(state.db)) {
    try {
      await setupBridge(state, n, state.networks.dnsmasq)
    } catch (err) {
      state.networks.errors.set(n.name, String(err))
      state.log.error('Failed to start network', { network: n.name, err: String(err) })
    }
  }
}

/** GET /1.0/networks/{name}/state for any host interface. */
export async function networkState(state: State, name: string): Promise<NetworkState> {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name) || !linkExists(name))
    throw notFound(`Interface "${name}" not found`)
  const [link] = await ipJson<IpAddrInfo[]>(state.host, ['-s', 'addr', 'show', 'dev', name])
  const sys = (file: string): string => readLinkFile(name, `bridge/${file}`) ?? ''
  const isBridge = readLinkFile(name, 'bridge/bridge_id') !== undefined
  return {
    addresses: (link?.addr_info ?? []).map((a) => ({
      family: a.family === 'inet6' ? 'inet6' : 'inet',
      address: a.local,
      // LXD reports the prefix length here for both families.
      netmask: String(a.prefixlen),
      scope: a.scope,
    })),
    counters: {
      bytes_received: link?.stats64?.rx.bytes ?? 0,
      bytes_sent: link?.stats64?.tx.bytes ?? 0,
      packets_received: link?.stats64?.rx.packets ?? 0,
      packets_sent: link?.stats64?.tx.packets ?? 0,
    },
    hwaddr: link?.address ?? '',
    mtu: link?.mtu ?? 0,
    state: link?.operstate === 'DOWN' ? 'down' : 'up',
    type: 'broadcast',
    bond: null,
    bridge: isBridge
      ? {
          id: sys('bridge_id'),
          stp: sys('stp_state') === '1',
          forward_delay: Number(sys('forward_delay') || 0),
          vlan_default: Number(sys('default_pvid') || 0),
          vlan_filtering: sys('vlan_filtering') === '1',
          upper_devices: bridgePorts(name),
        }
      : null,
    vlan: null,
  }
}

/** The MACs of a project's instances' NICs (set or generated), lower case. */
export function projectMacs(state: State, project: string): Set<string> {
  const macs = new Set<string>()
  for (const inst of listInstances(state.db, project)) {
    for (const [k, v] of Object.entries(inst.config))
      if (/^volatile\.[^.]+\.hwaddr$/.test(k)) macs.add(v.toLowerCase())
    for (const d of Object.values(inst.devices)) if (d.hwaddr) macs.add(d.hwaddr.toLowerCase())
  }
  return macs
}

/** GET /1.0/networks/{name}/leases: the gateway, static entries from NICs, then dynamic leases. */
export function networkLeases(state: State, n: db.NetworkRecord): NetworkLease[] {
  const out: NetworkLease[] = []
  for (const family of [4, 6] as const) {
    const s = bridgeSubnet(n.config, family)
    if (s)
      out.push({
        hostname: `${n.name}.gw`,
        hwaddr: '',
        address: s.address,
        type: 'gateway',
        location: 'none',
      })
  }
  const files = dnsmasqFiles(networkDir(state, n.name))
  const statics = new Map<string, string>()
  let hostFiles: string[] = []
  try {
    hostFiles = readdirSync(files.hosts).sort()
  } catch {
    // No NIC yet.
  }
  for (const f of hostFiles) {
    const entry = parseHostsLine(readFileSync(join(files.hosts, f), 'utf8'))
    if (!entry) continue
    for (const address of [entry.ipv4, entry.ipv6]) {
      if (!address) continue
      statics.set(address, entry.hwaddr)
      out.push({ hostname: entry.name, hwaddr: entry.hwaddr, address, type: 'static', location: 'none' })
    }
  }
  let text = ''
  try {
    text = readFileSync(files.leases, 'utf8')
  } catch {
    // No lease yet.
  }
  for (const lease of parseLeases(text)) {
    if (statics.has(lease.address)) continue
    const ip = parseIp(lease.address)
    if (!ip) continue
    out.push({
      hostname: lease.hostname,
      hwaddr: lease.hwaddr,
      address: formatIp(ip.family, ip.value),
      type: 'dynamic',
      location: 'none',
    })
  }
  return out
}
