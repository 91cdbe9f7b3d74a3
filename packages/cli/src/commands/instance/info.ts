/** @module `corral info <instance>`: lxc 5.0.2's text report (status, resources, snapshots); no backups needed. */
import type { InstanceFull } from '@corral/api'
import { renderTable } from '../../render/table.js'
import { byteSizeIEC, localTime, timeIsSet } from '../../render/units.js'
import { isPrivileged } from './common.js'

interface NetState {
  type?: string
  state?: string
  host_name?: string
  hwaddr?: string
  mtu?: number
  counters?: {
    bytes_received?: number
    bytes_sent?: number
    packets_received?: number
    packets_sent?: number
  }
  addresses?: { family: string; address: string; netmask: string; scope: string }[]
}

function networkLines(network: Record<string, unknown>): string {
  let out = ''
  for (const iface of Object.keys(network).sort()) {
    const n = network[iface] as NetState
    const c = n.counters ?? {}
    out += `    ${iface}:\n      Type: ${n.type ?? ''}\n      State: ${(n.state ?? '').toUpperCase()}\n`
    if (n.host_name) out += `      Host interface: ${n.host_name}\n`
    if (n.hwaddr) out += `      MAC address: ${n.hwaddr}\n`
    out += `      MTU: ${n.mtu ?? 0}\n`
    out += `      Bytes received: ${byteSizeIEC(c.bytes_received ?? 0)}\n      Bytes sent: ${byteSizeIEC(c.bytes_sent ?? 0)}\n`
    out += `      Packets received: ${c.packets_received ?? 0}\n      Packets sent: ${c.packets_sent ?? 0}\n`
    if (n.addresses?.length) {
      out += '      IP addresses:\n'
      for (const a of n.addresses)
        out += `        ${`${a.family}:`.padEnd(7)}${a.address}/${a.netmask} (${a.scope})\n`
    }
  }
  return out
}

function resources(i: InstanceFull): string {
  const s = i.state
  let out = `\nResources:\n  Processes: ${s.processes}\n`
  const disks = Object.entries(s.disk ?? {})
    .filter(([, d]) => ((d as { usage?: number }).usage ?? 0) !== 0)
    .map(([k, d]) => `    ${k}: ${byteSizeIEC((d as { usage: number }).usage)}\n`)
    .join('')
  if (disks) out += `  Disk usage:\n${disks}`
  if (s.cpu?.usage) out += `  CPU usage:\n    CPU usage (in seconds): ${Math.floor(s.cpu.usage / 1e9)}\n`
  const m = s.memory ?? { usage: 0, usage_peak: 0, swap_usage: 0, swap_usage_peak: 0 }
  let mem = ''
  if (m.usage) mem += `    Memory (current): ${byteSizeIEC(m.usage)}\n`
  if (m.usage_peak) mem += `    Memory (peak): ${byteSizeIEC(m.usage_peak)}\n`
  if (m.swap_usage) mem += `    Swap (current): ${byteSizeIEC(m.swap_usage)}\n`
  if (m.swap_usage_peak) mem += `    Swap (peak): ${byteSizeIEC(m.swap_usage_peak)}\n`
  if (mem) out += `  Memory usage:\n${mem}`
  const net = networkLines(s.network ?? {})
  if (net) out += `  Network usage:\n${net}`
  return out
}

/** Renders an instance as `lxc info <instance>` prints it. */
export function instanceInfoText(i: InstanceFull): string {
  let out = `Name: ${i.name}\nStatus: ${i.status.toUpperCase()}\n`
  // Privileged containers are marked: their root is root on the host.
  const privileged = isPrivileged(i.expanded_config)
  out += `Type: ${i.type}${i.ephemeral ? ' (ephemeral)' : ''}${privileged ? ' (privileged)' : ''}\nArchitecture: ${i.architecture}\n`
  if (i.state?.pid) out += `PID: ${i.state.pid}\n`
  if (timeIsSet(i.created_at)) out += `Created: ${localTime(i.created_at)}\n`
  if (timeIsSet(i.last_used_at)) out += `Last Used: ${localTime(i.last_used_at)}\n`
  if (i.state?.pid) out += resources(i)
  if (i.snapshots && i.snapshots.length > 0) {
    const rows = i.snapshots.map((s) => [
      s.name,
      timeIsSet(s.created_at) ? localTime(s.created_at) : '',
      timeIsSet(s.expires_at) ? localTime(s.expires_at) : '',
      s.stateful ? 'YES' : 'NO',
    ])
    out += `\nSnapshots:\n${renderTable({ header: ['NAME', 'TAKEN AT', 'EXPIRES AT', 'STATEFUL'], rows })}`
  }
  return out
}
