/** @module What the veth-based NIC drivers share: names and MAC kept in volatile keys, the veth pair, bandwidth limits. */
import { createHash, randomBytes } from 'node:crypto'
import type { Db } from '../db/db.js'
import { listInstances, patchInstanceConfig } from '../db/instances.js'
import { ipBatch, ipCmd, ipJson, linkExists, readLinkFile } from '../host/net.js'
import { tcArgs } from '../host/tc.js'
import type { DeviceContext, DeviceInstance, RunNic } from './device.js'

/** A NIC as its driver sets it up: the device, its config, and the names and MAC it got. */
export interface PreparedNic {
  device: string
  config: Record<string, string>
  hostName: string
  peer: string
  hwaddr: string
  mtu: string
}

const randomHex = (bytes: number) => randomBytes(bytes).toString('hex')

/** A MAC under LXD's 00:16:3e prefix. */
export function generateMac(): string {
  return `00:16:3e:${randomHex(3).replace(/(..)(?=.)/g, '$1:')}`
}

/** The host name and MAC a NIC has now: configured, else kept in its volatile keys. */
export function nicIdentity(
  inst: Pick<DeviceInstance, 'config'>,
  device: string,
  config: Record<string, string>,
): { hostName: string; hwaddr: string } {
  return {
    hostName: config.host_name || inst.config[`volatile.${device}.host_name`] || '',
    hwaddr: config.hwaddr || inst.config[`volatile.${device}.hwaddr`] || '',
  }
}

/**
 * Names and MAC for a NIC: configured, else kept in volatile keys, else generated and stored (as
 * LXD keeps them). The MTU is the configured one, else `mtu` (a managed bridge's), else that of
 * `mtuOf`'s link, else 1500.
 */
export function prepareNic(ctx: DeviceContext, opts: { mtu?: string; mtuOf?: string } = {}): PreparedNic {
  const { inst, device, config } = ctx
  const current = nicIdentity(inst, device, config)
  const hwaddr = current.hwaddr || generateMac()
  const holder = macHolder(ctx.state.db, inst, hwaddr)
  // Another instance's MAC would take its leases, its pinned address and its bridge port.
  if (holder) throw new Error(`MAC address "${hwaddr}" is already used by instance "${holder}"`)
  const hostName = current.hostName || `veth${randomHex(4)}`
  const patch: Record<string, string> = {}
  if (!config.hwaddr && inst.config[`volatile.${device}.hwaddr`] !== hwaddr)
    patch[`volatile.${device}.hwaddr`] = hwaddr
  if (!config.host_name && inst.config[`volatile.${device}.host_name`] !== hostName)
    patch[`volatile.${device}.host_name`] = hostName
  if (Object.keys(patch).length) {
    patchInstanceConfig(ctx.state.db, inst.id, patch)
    Object.assign(inst.config, patch)
  }
  const mtu = config.mtu || opts.mtu || (opts.mtuOf ? (readLinkFile(opts.mtuOf, 'mtu') ?? '') : '') || '1500'
  return { device, config, hostName, peer: `veth${randomHex(4)}`, hwaddr, mtu }
}

/** The other instance (`project/name`) that has `hwaddr` on one of its NICs, configured or kept. */
function macHolder(db: Db, inst: DeviceInstance, hwaddr: string): string | undefined {
  const mac = hwaddr.toLowerCase()
  const other = listInstances(db, undefined).find(
    (i) =>
      i.id !== inst.id &&
      (Object.entries(i.config).some(
        ([k, v]) => /^volatile\.[^.]+\.hwaddr$/.test(k) && v.toLowerCase() === mac,
      ) ||
        Object.values(i.devices).some((d) => d.type === 'nic' && d.hwaddr?.toLowerCase() === mac)),
  )
  return other && `${other.project}/${other.name}`
}

/** The alias our host-side veth ends carry (a digest: device names may hold any word), so a later start knows its own leftover. */
const vethAlias = (ctx: DeviceContext) =>
  `corral-${createHash('sha256').update(`${ctx.inst.project}/${ctx.inst.name}/${ctx.device}`).digest('hex').slice(0, 16)}`

/**
 * Frees the NIC's host name before a start: LXC hands `phys` links back to the host when a
 * container stops on its own, so our own veth pair may still be there with both ends on the
 * host. Anything else of that name (another container's pair, a foreign interface) is refused.
 */
async function reclaimHostName(ctx: DeviceContext, hostName: string): Promise<void> {
  if (!linkExists(hostName)) return
  const [link] = await ipJson<
    { link_netnsid?: number; ifalias?: string; linkinfo?: { info_kind?: string } }[]
  >(ctx.state.host, ['-d', 'link', 'show', 'dev', hostName])
  if (
    link?.linkinfo?.info_kind !== 'veth' ||
    link.link_netnsid !== undefined ||
    link.ifalias !== vethAlias(ctx)
  )
    throw new Error(`Host interface "${hostName}" already exists`)
  await ipBatch(ctx.state.host, [ipCmd`link del ${hostName}`])
}

/** Creates the NIC's veth pair (recorded first, so whatever happens next can undo it) and gives the peer its MAC. */
export async function createVeth(ctx: DeviceContext, nic: PreparedNic): Promise<void> {
  await reclaimHostName(ctx, nic.hostName)
  await ctx.record.apply({ kind: 'veth', device: nic.device, name: nic.hostName }, () =>
    ipBatch(ctx.state.host, [
      ipCmd`link add ${nic.hostName} mtu ${nic.mtu} type veth peer name ${nic.peer} mtu ${nic.mtu}`,
    ]),
  )
  await ipBatch(ctx.state.host, [
    ipCmd`link set ${nic.peer} address ${nic.hwaddr}`,
    ipCmd`link set ${nic.hostName} alias ${vethAlias(ctx)}`,
  ])
}

/** tc commands for a NIC's bandwidth limits on its host end (ingress to the instance is the veth's egress). */
function limitCommands(nic: PreparedNic): string[][] {
  const ingress = nic.config['limits.ingress'] || nic.config['limits.max']
  const egress = nic.config['limits.egress'] || nic.config['limits.max']
  const dev = ['dev', nic.hostName]
  const out: string[][] = []
  if (ingress) {
    out.push(['qdisc', 'add', ...dev, 'root', 'handle', '1:0', 'htb', 'default', '10'])
    out.push(['class', 'add', ...dev, 'parent', '1:0', 'classid', '1:10', 'htb', 'rate', ingress])
  }
  if (egress) {
    out.push(['qdisc', 'add', ...dev, 'handle', 'ffff:0', 'ingress'])
    out.push([
      ...['filter', 'add', ...dev, 'parent', 'ffff:0', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0'],
      ...['police', 'rate', egress, 'burst', '1024k', 'mtu', '64kb', 'drop'],
    ])
  }
  return out
}

/** Applies a NIC's bandwidth limits with tc (they go with the veth); a kernel without the police action gets a clear error. */
export async function applyLimits(ctx: DeviceContext, nic: PreparedNic): Promise<void> {
  for (const args of limitCommands(nic)) {
    try {
      await ctx.state.host.run('tc', tcArgs(args))
    } catch (err) {
      if (args.includes('police') && /action module/i.test(String(err)))
        throw new Error(
          "limits.egress needs the kernel's act_police traffic-control action, which this host does not have",
          { cause: err },
        )
      throw err
    }
  }
}

/** The NIC as the container receives it: the peer, renamed, with its MAC and MTU. */
export function runNic(nic: PreparedNic, extra: Partial<RunNic> = {}): RunNic {
  return {
    link: nic.peer,
    name: nic.config.name || nic.device,
    hwaddr: nic.hwaddr,
    mtu: nic.mtu,
    ipv4: [],
    ipv6: [],
    ...extra,
  }
}
