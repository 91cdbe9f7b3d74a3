/** @module The network section of an instance's state: its interfaces as seen inside its namespace. */
import type { State } from '../state.js'
import { nicIdentity } from '../device/nic-common.js'
import { driverOf } from '../device/registry.js'

/** One interface as GET /1.0/instances/{name}/state reports it. */
export interface InstanceNetworkInterface {
  addresses: { family: 'inet' | 'inet6'; address: string; netmask: string; scope: string }[]
  counters: {
    bytes_received: number
    bytes_sent: number
    packets_received: number
    packets_sent: number
    errors_received: number
    errors_sent: number
    packets_dropped_outbound: number
    packets_dropped_inbound: number
  }
  hwaddr: string
  host_name: string
  mtu: number
  state: 'up' | 'down'
  type: string
}

interface IpLink {
  ifname: string
  address?: string
  mtu?: number
  operstate?: string
  flags?: string[]
  link_type?: string
  addr_info?: { family: string; local: string; prefixlen: number; scope: string }[]
  stats64?: {
    rx: { bytes: number; packets: number; errors: number; dropped: number }
    tx: { bytes: number; packets: number; errors: number; dropped: number }
  }
}

/**
 * The interfaces inside a running container, read with `ip` in its network namespace. A list
 * asks only instances with NIC devices (the others have just `lo`), so listing stays cheap;
 * one instance's state (`everyInterface`) always shows its `lo`, as LXD does.
 */
export async function instanceNetworkState(
  state: State,
  pid: number,
  config: Record<string, string>,
  devices: Record<string, Record<string, string>>,
  everyInterface = false,
): Promise<Record<string, InstanceNetworkInterface>> {
  // The devices that give the container an interface, by the name it has inside.
  const hostNames = new Map(
    Object.entries(devices).flatMap(([device, c]) => {
      const name = driverOf(c)?.interfaceName?.(device, c)
      return name ? [[name, nicIdentity({ config }, device, c).hostName] as const] : []
    }),
  )
  if (hostNames.size === 0 && !everyInterface) return {}
  let links: IpLink[]
  try {
    const { stdout } = await state.host.run('nsenter', [
      `--net=/proc/${pid}/ns/net`,
      'ip',
      '-j',
      '-s',
      'addr',
      'show',
    ])
    links = JSON.parse(stdout || '[]') as IpLink[]
  } catch {
    return {}
  }
  const out: Record<string, InstanceNetworkInterface> = {}
  for (const l of links) {
    const s = l.stats64
    out[l.ifname] = {
      addresses: (l.addr_info ?? []).map((a) => ({
        family: a.family === 'inet6' ? 'inet6' : 'inet',
        address: a.local,
        netmask: String(a.prefixlen),
        scope: a.scope === 'host' ? 'local' : a.scope,
      })),
      counters: {
        bytes_received: s?.rx.bytes ?? 0,
        bytes_sent: s?.tx.bytes ?? 0,
        packets_received: s?.rx.packets ?? 0,
        packets_sent: s?.tx.packets ?? 0,
        errors_received: s?.rx.errors ?? 0,
        errors_sent: s?.tx.errors ?? 0,
        packets_dropped_outbound: s?.tx.dropped ?? 0,
        packets_dropped_inbound: s?.rx.dropped ?? 0,
      },
      hwaddr: l.link_type === 'loopback' ? '' : (l.address ?? ''),
      host_name: hostNames.get(l.ifname) ?? '',
      mtu: l.mtu ?? 0,
      state: l.flags?.includes('UP') ? 'up' : 'down',
      type: l.link_type === 'loopback' ? 'loopback' : 'broadcast',
    }
  }
  return out
}
