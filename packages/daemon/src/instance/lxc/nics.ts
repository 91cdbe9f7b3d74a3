/** @module NIC devices on the host: veth pairs, bridge ports, routes, dnsmasq entries, and their LXC lines. */
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { patchInstanceConfig, type InstanceRecord } from '../../db/instances.js'
import { findNetwork } from '../../db/networks.js'
import { dnsmasqFiles } from '../../dnsmasq/args.js'
import { dnsName, hostsFileName, hostsLine } from '../../dnsmasq/hosts.js'
import { isTrue } from '../../config/validate.js'
import { nicTypeOf } from '../../device/registry.js'
import {
  ipBatch,
  ipCmd,
  ipJson,
  ipWords,
  linkExists,
  readLinkFile,
  sysctlGet,
  sysctlSet,
} from '../../host/net.js'
import { tcArgs } from '../../host/tc.js'
import { networkDir } from '../../network/bridge.js'
import type { State } from '../../state.js'
import { AppliedRecord } from './applied.js'
import { allowedAddresses, applyNicFilter, filterLabel } from './nic-filter.js'

type Devices = Record<string, Record<string, string>>

/** A NIC as it runs: its device name, config, and the names and MAC it got. */
interface RunningNic {
  device: string
  config: Record<string, string>
  hostName: string
  peer: string
  hwaddr: string
  mtu: string
}

/** The NIC devices of an expanded device map, in device-name order (LXC's net index order). */
export function nicDevices(devices: Devices): [string, Record<string, string>][] {
  return Object.entries(devices)
    .filter(([, d]) => d.type === 'nic')
    .sort(([a], [b]) => a.localeCompare(b))
}

const randomHex = (bytes: number) => randomBytes(bytes).toString('hex')

/** A MAC under LXD's 00:16:3e prefix. */
export function generateMac(): string {
  return `00:16:3e:${randomHex(3).replace(/(..)(?=.)/g, '$1:')}`
}

/** The bridge a bridged NIC joins. */
const bridgeOf = (config: Record<string, string>) => config.network || config.parent || ''

/** Names and MAC for a NIC: configured, else kept in volatile keys, else generated and stored. */
function identify(
  state: State,
  inst: InstanceRecord,
  device: string,
  config: Record<string, string>,
): RunningNic {
  const volatile = (key: string) => inst.config[`volatile.${device}.${key}`]
  const hwaddr = config.hwaddr || volatile('hwaddr') || generateMac()
  const hostName = config.host_name || volatile('host_name') || `veth${randomHex(4)}`
  const patch: Record<string, string> = {}
  if (!config.hwaddr && volatile('hwaddr') !== hwaddr) patch[`volatile.${device}.hwaddr`] = hwaddr
  if (!config.host_name && volatile('host_name') !== hostName)
    patch[`volatile.${device}.host_name`] = hostName
  if (Object.keys(patch).length) {
    patchInstanceConfig(state.db, inst.id, patch)
    Object.assign(inst.config, patch)
  }
  const bridge = bridgeOf(config)
  const managed = config.network ? findNetwork(state.db, config.network) : undefined
  let mtu = config.mtu || managed?.config['bridge.mtu'] || ''
  if (!mtu && bridge) mtu = readLinkFile(bridge, 'mtu') ?? ''
  return { device, config, hostName, peer: `veth${randomHex(4)}`, hwaddr, mtu: mtu || '1500' }
}

/** Writes (or removes, with `undefined`) a NIC's static dnsmasq entry on its managed network and reloads it. */
function writeHostsEntry(
  state: State,
  inst: InstanceRecord,
  nic: RunningNic | { device: string; config: Record<string, string> },
  hwaddr?: string,
): void {
  const network = nic.config.network
  if (!network || !findNetwork(state.db, network)) return
  const dir = dnsmasqFiles(networkDir(state, network)).hosts
  const file = join(dir, hostsFileName(inst.project, inst.name, nic.device))
  if (hwaddr === undefined) rmSync(file, { force: true })
  else {
    mkdirSync(dir, { recursive: true })
    // `none` means no address of that family (a filtered NIC may then send none): nothing to pin.
    const fixed = (family: 4 | 6) => {
      const a = nic.config[`ipv${family}.address`]
      return a && a !== 'none' ? a : undefined
    }
    const ipv4 = fixed(4)
    const ipv6 = fixed(6)
    const line = hostsLine({
      hwaddr,
      ...(ipv4 ? { ipv4 } : {}),
      ...(ipv6 ? { ipv6 } : {}),
      name: dnsName(inst.project, inst.name),
    })
    writeFileSync(file, `${line}\n`, { mode: 0o644 })
  }
  state.networks.dnsmasq.get(network)?.reload()
}

/** tc commands for a NIC's bandwidth limits on its host end (ingress to the instance is the veth's egress). */
function limitCommands(nic: RunningNic): string[][] {
  const ingress = nic.config['limits.ingress'] || nic.config['limits.max']
  const egress = nic.config['limits.egress'] || nic.config['limits.max']
  const out: string[][] = []
  if (ingress) {
    out.push(['qdisc', 'add', 'dev', nic.hostName, 'root', 'handle', '1:0', 'htb', 'default', '10'])
    out.push([
      'class',
      'add',
      'dev',
      nic.hostName,
      'parent',
      '1:0',
      'classid',
      '1:10',
      'htb',
      'rate',
      ingress,
    ])
  }
  if (egress) {
    out.push(['qdisc', 'add', 'dev', nic.hostName, 'handle', 'ffff:0', 'ingress'])
    out.push([
      'filter',
      'add',
      'dev',
      nic.hostName,
      'parent',
      'ffff:0',
      'protocol',
      'all',
      'u32',
      'match',
      'u32',
      '0',
      '0',
      'police',
      'rate',
      egress,
      'burst',
      '1024k',
      'mtu',
      '64kb',
      'drop',
    ])
  }
  return out
}

/**
 * Frees the NIC's host name before a start: LXC hands `phys` links back to the host when a
 * container stops on its own, so our own veth pair may still be there with both ends on the
 * host. Anything else of that name (another container's pair, a foreign interface) is refused.
 */
async function reclaimHostName(state: State, hostName: string): Promise<void> {
  if (!linkExists(hostName)) return
  const [link] = await ipJson<{ link_netnsid?: number; linkinfo?: { info_kind?: string } }[]>(state.host, [
    '-d',
    'link',
    'show',
    'dev',
    hostName,
  ])
  if (link?.linkinfo?.info_kind !== 'veth' || link.link_netnsid !== undefined)
    throw new Error(`Host interface "${hostName}" already exists`)
  await ipBatch(state.host, [ipCmd`link del ${hostName}`])
}

/** Applies a NIC's bandwidth limits with tc; a kernel without the police action gets a clear error. */
async function applyLimits(state: State, nic: RunningNic): Promise<void> {
  for (const args of limitCommands(nic)) {
    try {
      await state.host.run('tc', tcArgs(args))
    } catch (err) {
      if (args.includes('police') && /action module/i.test(String(err)))
        throw new Error(
          "limits.egress needs the kernel's act_police traffic-control action, which this host does not have",
          {
            cause: err,
          },
        )
      throw err
    }
  }
}

/** The host side of a bridged NIC: veth pair, bridge port, sysctls, limits, routes, dnsmasq entry. */
async function setupBridged(
  state: State,
  inst: InstanceRecord,
  nic: RunningNic,
  record: AppliedRecord,
): Promise<void> {
  const bridge = bridgeOf(nic.config)
  if (!linkExists(bridge)) throw new Error(`Parent device "${bridge}" doesn't exist`)
  await reclaimHostName(state, nic.hostName)
  await record.apply({ kind: 'veth', device: nic.device, name: nic.hostName }, () =>
    ipBatch(state.host, [
      ipCmd`link add ${nic.hostName} mtu ${nic.mtu} type veth peer name ${nic.peer} mtu ${nic.mtu}`,
    ]),
  )
  // The host end carries only the instance's frames: no IPv6 of its own, no router advertisements taken.
  sysctlSet(`net/ipv6/conf/${nic.hostName}/accept_ra`, '0')
  sysctlSet(`net/ipv6/conf/${nic.hostName}/disable_ipv6`, '1')
  await ipBatch(state.host, [
    ipCmd`link set ${nic.peer} address ${nic.hwaddr}`,
    ipCmd`link set ${nic.hostName} master ${bridge} up`,
  ])
  await applyLimits(state, nic)
  for (const route of bridgeRoutes(nic.config, bridge))
    await record.apply({ kind: 'route', device: nic.device, route }, () =>
      ipBatch(state.host, [ipWords(['route', 'add', ...route])]),
    )
  if (isTrue(nic.config['security.port_isolation']))
    await ipBatch(state.host, [ipCmd`link set dev ${nic.hostName} type bridge_slave isolated on`])
  await filterNic(state, inst, nic, record)
}

/** Writes the NIC's dnsmasq entry (with a pinned address when IPv4 filtering needs one) and its filter. */
async function filterNic(
  state: State,
  inst: InstanceRecord,
  nic: { device: string; config: Record<string, string>; hostName: string; hwaddr: string },
  record: AppliedRecord,
): Promise<void> {
  const hostsFile = hostsFileName(inst.project, inst.name, nic.device)
  const allowed = allowedAddresses(state, { ...nic, hostsFile })
  const config = allowed.pinIpv4 ? { ...nic.config, 'ipv4.address': allowed.pinIpv4 } : nic.config
  writeHostsEntry(state, inst, { device: nic.device, config }, nic.hwaddr)
  const apply = () => applyNicFilter(state, inst, { ...nic, hostsFile }, allowed)
  // Recorded once per NIC: removing a NIC's chains is the same whatever rules they held.
  if (record.has(nic.device, 'nic-filter')) return void (await apply())
  const step = { kind: 'nic-filter', device: nic.device, hostName: nic.hostName } as const
  await record.apply({ ...step, label: filterLabel(inst, nic.device) }, apply)
}

/**
 * Applies a running NIC's changed security keys in place (`config device override`): the filter
 * and the pinned lease follow at once, without unplugging the NIC.
 */
export async function refilterNic(
  state: State,
  inst: InstanceRecord,
  device: string,
  config: Record<string, string>,
): Promise<void> {
  const hostName = config.host_name || inst.config[`volatile.${device}.host_name`] || ''
  const hwaddr = config.hwaddr || inst.config[`volatile.${device}.hwaddr`] || ''
  if (!linkExists(hostName)) throw new Error(`The NIC "${device}" is not plugged in`)
  await ipBatch(state.host, [
    ipCmd`link set dev ${hostName} type bridge_slave isolated ${isTrue(config['security.port_isolation']) ? 'on' : 'off'}`,
  ])
  await filterNic(state, inst, { device, config, hostName, hwaddr }, new AppliedRecord(state, inst))
}

/** `ipvN.routes` of a bridged NIC go to the bridge via its static address (`ip route` words). */
function bridgeRoutes(config: Record<string, string>, bridge: string): string[][] {
  const specs: string[][] = []
  for (const family of [4, 6] as const) {
    const via = config[`ipv${family}.address`]
    for (const subnet of (config[`ipv${family}.routes`] ?? '').split(',').filter(Boolean))
      specs.push([subnet.trim(), ...(via ? ['via', via] : []), 'dev', bridge])
  }
  return specs
}

/** The addresses of a routed NIC by family. */
const routedAddresses = (config: Record<string, string>, family: 4 | 6): string[] =>
  (config[`ipv${family}.address`] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)

/** The host side of a routed NIC: veth, gateway addresses, per-address routes, proxy ARP/NDP, rp filter. */
async function setupRouted(state: State, nic: RunningNic, record: AppliedRecord): Promise<void> {
  await reclaimHostName(state, nic.hostName)
  const parent = nic.config.parent
  if (parent && !linkExists(parent)) throw new Error(`Parent device "${parent}" doesn't exist`)
  const v4 = routedAddresses(nic.config, 4)
  const v6 = routedAddresses(nic.config, 6)
  // LXD's pre-checks: the parent must forward (and, for IPv6, answer NDP by proxy).
  const need = (key: string) => {
    if (sysctlGet(key) !== '1') throw new Error(`Routed mode requires sysctl ${key.replace(/\//g, '.')}=1`)
  }
  if (parent && v4.length) need(`net/ipv4/conf/${parent}/forwarding`)
  if (parent && v6.length) {
    need(`net/ipv6/conf/${parent}/forwarding`)
    need(`net/ipv6/conf/${parent}/proxy_ndp`)
  }
  const hostV4 = nic.config['ipv4.host_address'] || '169.254.0.1'
  const hostV6 = nic.config['ipv6.host_address'] || 'fe80::1'
  await record.apply({ kind: 'veth', device: nic.device, name: nic.hostName }, () =>
    ipBatch(state.host, [
      ipCmd`link add ${nic.hostName} mtu ${nic.mtu} type veth peer name ${nic.peer} mtu ${nic.mtu}`,
    ]),
  )
  sysctlSet(`net/ipv6/conf/${nic.hostName}/accept_ra`, '0')
  sysctlSet(`net/ipv4/conf/${nic.hostName}/rp_filter`, '1')
  if (v4.length) sysctlSet(`net/ipv4/conf/${nic.hostName}/forwarding`, '1')
  if (v6.length) {
    sysctlSet(`net/ipv6/conf/${nic.hostName}/disable_ipv6`, '0')
    sysctlSet(`net/ipv6/conf/${nic.hostName}/forwarding`, '1')
  }
  await ipBatch(state.host, [
    ipCmd`link set ${nic.peer} address ${nic.hwaddr}`,
    ipCmd`link set ${nic.hostName} up`,
    ...(v4.length ? [ipCmd`addr add ${`${hostV4}/32`} dev ${nic.hostName}`] : []),
    ...(v6.length ? [ipCmd`addr add ${`${hostV6}/128`} dev ${nic.hostName}`] : []),
    ...v4.map((a) => ipCmd`route add ${`${a}/32`} dev ${nic.hostName}`),
    ...v6.map((a) => ipCmd`route add ${`${a}/128`} dev ${nic.hostName}`),
    ...(nic.config['ipv4.routes'] ?? '')
      .split(',')
      .filter(Boolean)
      .map((r) => ipCmd`route add ${r.trim()} dev ${nic.hostName}`),
    ...(nic.config['ipv6.routes'] ?? '')
      .split(',')
      .filter(Boolean)
      .map((r) => ipCmd`route add ${r.trim()} dev ${nic.hostName}`),
  ])
  await applyLimits(state, nic)
  // replace, not add: an entry another start left behind is taken over, and undone at stop.
  for (const address of parent ? [...v4, ...v6] : [])
    await record.apply({ kind: 'proxy-neigh', device: nic.device, address, dev: parent! }, () =>
      ipBatch(state.host, [ipCmd`neigh replace proxy ${address} dev ${parent!}`]),
    )
  await record.apply({ kind: 'routed-filter', device: nic.device, hostName: nic.hostName }, () =>
    state.firewall.routedApply(nic.hostName),
  )
}

/** The `lxc.net.N` lines of a NIC: the prepared peer moved in as `phys`, renamed, up. */
function lxcLines(index: number, nic: RunningNic, routed: boolean): string[] {
  const p = `lxc.net.${index}`
  const lines = [
    `${p}.type = phys`,
    `${p}.link = ${nic.peer}`,
    `${p}.name = ${nic.config.name || nic.device}`,
    `${p}.flags = up`,
    `${p}.hwaddr = ${nic.hwaddr}`,
    `${p}.mtu = ${nic.mtu}`,
  ]
  if (routed) {
    const v4 = routedAddresses(nic.config, 4)
    const v6 = routedAddresses(nic.config, 6)
    for (const a of v4) lines.push(`${p}.ipv4.address = ${a}/32`)
    for (const a of v6) lines.push(`${p}.ipv6.address = ${a}/128`)
    if (v4.length && nic.config['ipv4.gateway'] !== 'none')
      lines.push(`${p}.ipv4.gateway = ${nic.config['ipv4.host_address'] || '169.254.0.1'}`)
    if (v6.length && nic.config['ipv6.gateway'] !== 'none')
      lines.push(`${p}.ipv6.gateway = ${nic.config['ipv6.host_address'] || 'fe80::1'}`)
  }
  return lines
}

/** Prepares one NIC on the host; returns its LXC lines. Undo steps go to `revert`. */
async function setupNic(
  state: State,
  inst: InstanceRecord,
  index: number,
  device: string,
  config: Record<string, string>,
  record: AppliedRecord,
): Promise<{ nic: RunningNic; lines: string[] }> {
  const nic = identify(state, inst, device, config)
  const routed = nicTypeOf(config) === 'routed'
  if (routed) await setupRouted(state, nic, record)
  else await setupBridged(state, inst, nic, record)
  return { nic, lines: lxcLines(index, nic, routed) }
}

/** Prepares every NIC before lxc-start, recording each host change; on failure everything done so far is undone. */
export async function setupNics(
  state: State,
  inst: InstanceRecord,
  devices: Devices,
): Promise<{ lines: string[]; revert: () => Promise<void> }> {
  const record = new AppliedRecord(state, inst)
  // What a container that stopped on its own (or a crash) left is undone before anything new.
  await record.undo()
  const revert = () => record.undo()
  const lines: string[] = []
  try {
    let index = 0
    for (const [device, config] of nicDevices(devices)) {
      lines.push(...(await setupNic(state, inst, index++, device, config, record)).lines)
    }
  } catch (err) {
    await revert()
    throw err
  }
  return { lines, revert }
}

/** Undoes what the start (and hot-plugs) recorded for the instance's NICs (those named, or all): whatever the config says now. */
export async function cleanupNics(
  state: State,
  inst: InstanceRecord,
  devices?: readonly string[],
): Promise<void> {
  await new AppliedRecord(state, inst).undo(devices ? new Set(devices) : undefined)
}

/** Removes the static dnsmasq entries of an instance's NICs (instance deleted or renamed, device removed). */
export function forgetNics(state: State, inst: InstanceRecord, devices: Devices): void {
  for (const [device, config] of nicDevices(devices)) writeHostsEntry(state, inst, { device, config })
}

/** Forgets a removed NIC's generated keys (volatile.<device>.*), as LXD does. */
export function dropNicVolatile(state: State, inst: InstanceRecord, device: string): void {
  const keys = Object.keys(inst.config).filter((k) => k.startsWith(`volatile.${device}.`))
  if (keys.length === 0) return
  patchInstanceConfig(state.db, inst.id, Object.fromEntries(keys.map((k) => [k, ''])))
  for (const k of keys) delete inst.config[k]
}

/** Adds a NIC to a running container: prepared on the host, then its peer moved into the container's namespace. */
export async function hotplugAddNic(
  state: State,
  inst: InstanceRecord,
  pid: number,
  device: string,
  config: Record<string, string>,
): Promise<void> {
  const hadVolatile = Object.keys(inst.config).some((k) => k.startsWith(`volatile.${device}.`))
  const record = new AppliedRecord(state, inst)
  try {
    const { nic } = await setupNic(state, inst, 0, device, config, record)
    await ipBatch(state.host, [ipCmd`link set ${nic.peer} netns ${pid}`])
    await state.host.run('nsenter', [
      `--net=/proc/${pid}/ns/net`,
      'ip',
      'link',
      'set',
      nic.peer,
      'name',
      config.name || device,
    ])
  } catch (err) {
    await record.undo(new Set([device]))
    // A NIC that never made it in leaves no generated MAC or host name behind.
    if (!hadVolatile) dropNicVolatile(state, inst, device)
    throw err
  }
}

/** Removes a NIC from a running container: deleting the host end removes the pair. */
export async function hotplugRemoveNic(
  state: State,
  inst: InstanceRecord,
  device: string,
  config: Record<string, string>,
): Promise<void> {
  await cleanupNics(state, inst, [device])
  writeHostsEntry(state, inst, { device, config })
}
