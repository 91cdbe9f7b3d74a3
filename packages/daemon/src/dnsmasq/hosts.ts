/** @module A NIC's static dnsmasq host entry: MAC, optional fixed addresses, and the instance's name. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** What dnsmasq should know about one NIC. */
export interface HostEntry {
  hwaddr: string
  ipv4?: string
  ipv6?: string
  /** The DNS name: the instance name (`project_instance` outside the default project). */
  name: string
}

/** The hosts-file line dnsmasq reads for one NIC (`--dhcp-hostsfile` directory entry). */
export function hostsLine(e: HostEntry): string {
  return [e.hwaddr.toLowerCase(), e.ipv4, e.ipv6 && `[${e.ipv6}]`, e.name].filter(Boolean).join(',')
}

/** The file name of a NIC's entry inside the hosts directory. */
export function hostsFileName(project: string, instance: string, device: string): string {
  return `${project}_${instance}.${device}`
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
