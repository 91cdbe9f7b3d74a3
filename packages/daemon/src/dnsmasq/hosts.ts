/** @module A NIC's static dnsmasq host entry: MAC, optional fixed addresses, and the instance's name. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseIp } from '../util/ip.js'

/** What dnsmasq should know about one NIC. */
export interface HostEntry {
  hwaddr: string
  ipv4?: string
  ipv6?: string
  /** The DNS name: the instance name (`project_instance` outside the default project). */
  name: string
}

const refuse = (what: string, value: string): never => {
  throw new Error(`Refusing ${JSON.stringify(value)} as a dnsmasq ${what}`)
}

/**
 * The hosts-file line dnsmasq reads for one NIC (`--dhcp-hostsfile` directory entry). This is
 * the sink: each field is checked against its grammar, so none can add a field or a line.
 */
export function hostsLine(e: HostEntry): string {
  const mac = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(e.hwaddr)
    ? e.hwaddr.toLowerCase()
    : refuse('MAC', e.hwaddr)
  if (e.ipv4 !== undefined && parseIp(e.ipv4)?.family !== 4) refuse('IPv4 address', e.ipv4)
  if (e.ipv6 !== undefined && parseIp(e.ipv6)?.family !== 6) refuse('IPv6 address', e.ipv6)
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(e.name)) refuse('host name', e.name)
  return [mac, e.ipv4, e.ipv6 && `[${e.ipv6}]`, e.name].filter(Boolean).join(',')
}

/** The file name of a NIC's entry inside the hosts directory (one path component, never `..`). */
export function hostsFileName(project: string, instance: string, device: string): string {
  const name = `${project}_${instance}.${device}`
  return /^[^/\0\n]+$/.test(name) && !name.startsWith('.') ? name : refuse('hosts file name', name)
}

/** The DNS name of an instance (LXD's form: project-qualified outside the default project). */
export function dnsName(project: string, instance: string): string {
  return project === 'default' ? instance : `${instance}.${project}`
}

/** Parses a hosts-file line back into its parts (the leases API lists static entries). */
export function parseHostsLine(line: string): HostEntry | undefined {
  const parts = line.trim().split(',')
  if (parts.length < 2) return undefined
  const entry: HostEntry = { hwaddr: parts[0]!, name: parts[parts.length - 1]! }
  for (const p of parts.slice(1, -1)) {
    if (p.startsWith('[')) entry.ipv6 = p.slice(1, -1)
    else entry.ipv4 = p
  }
  return entry
}

/** Every entry of a hosts directory, by file name (an absent directory has none). */
export function readHostsDir(dir: string): Map<string, HostEntry> {
  const out = new Map<string, HostEntry>()
  let files: string[]
  try {
    files = readdirSync(dir).sort()
  } catch {
    return out
  }
  for (const f of files) {
    try {
      const entry = parseHostsLine(readFileSync(join(dir, f), 'utf8'))
      if (entry) out.set(f, entry)
    } catch {
      // Removed meanwhile.
    }
  }
  return out
}
