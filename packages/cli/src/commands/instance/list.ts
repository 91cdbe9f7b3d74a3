/** @module `corral list`: instances with lxc's column letters, filters and formats. */
import type { InstanceFull } from '@corral/api'
import type { CommandDefinition } from '../../command.js'
import { list } from '../../render/result.js'
import { instanceFullShape } from '../../render/instance-shapes.js'
import { byteSizeIEC, localTime, timeIsSet } from '../../render/units.js'
import { isPrivileged } from './common.js'
import { splitRemote } from '../../remotes/config.js'
import { formatFlag, formatOf } from '../common.js'

interface Column {
  header: string
  cell(i: InstanceFull): string
}

const active = (i: InstanceFull): boolean =>
  i.status_code !== 102 && i.status !== 'Stopped' && Boolean(i.state)

interface NetAddress {
  family: string
  address: string
  scope: string
}

function addresses(i: InstanceFull, family: string): string {
  if (!active(i) || !i.state.network) return ''
  const out: string[] = []
  for (const [iface, net] of Object.entries(i.state.network)) {
    const n = net as { type?: string; addresses?: NetAddress[] }
    if (n.type === 'loopback') continue
    for (const a of n.addresses ?? [])
      if (a.family === family && a.scope !== 'link' && a.scope !== 'local')
        out.push(`${a.address} (${iface})`)
  }
  return out.sort().reverse().join('\n')
}

function rootPool(i: InstanceFull): string {
  for (const d of Object.values(i.expanded_devices ?? {}))
    if (d.type === 'disk' && d.path === '/') return d.pool ?? ''
  return ''
}

/** lxc 5.0.2's column letters. */
export const columns: Record<string, Column> = {
  '4': { header: 'IPV4', cell: (i) => addresses(i, 'inet') },
  '6': { header: 'IPV6', cell: (i) => addresses(i, 'inet6') },
  a: { header: 'ARCHITECTURE', cell: (i) => i.architecture },
  b: { header: 'STORAGE POOL', cell: rootPool },
  c: { header: 'CREATED AT', cell: (i) => (timeIsSet(i.created_at) ? localTime(i.created_at) : '') },
  d: { header: 'DESCRIPTION', cell: (i) => i.description },
  D: {
    header: 'DISK USAGE',
    cell: (i) => {
      const u = (i.state?.disk?.root as { usage?: number } | undefined)?.usage
      return active(i) && u ? byteSizeIEC(u) : ''
    },
  },
  e: { header: 'PROJECT', cell: (i) => i.project },
  f: { header: 'BASE IMAGE', cell: (i) => (i.config['volatile.base_image'] ?? '').slice(0, 12) },
  F: { header: 'BASE IMAGE', cell: (i) => i.config['volatile.base_image'] ?? '' },
  l: { header: 'LAST USED AT', cell: (i) => (timeIsSet(i.last_used_at) ? localTime(i.last_used_at) : '') },
  L: { header: 'LOCATION', cell: (i) => i.location },
  m: {
    header: 'MEMORY USAGE',
    cell: (i) => (active(i) && i.state.memory?.usage ? byteSizeIEC(i.state.memory.usage) : ''),
  },
  M: { header: 'MEMORY USAGE%', cell: () => '' },
  n: { header: 'NAME', cell: (i) => i.name },
  N: { header: 'PROCESSES', cell: (i) => (active(i) ? String(i.state.processes) : '') },
  p: { header: 'PID', cell: (i) => (active(i) && i.state.pid ? String(i.state.pid) : '') },
  P: { header: 'PROFILES', cell: (i) => (i.profiles ?? []).join('\n') },
  s: { header: 'STATE', cell: (i) => i.status.toUpperCase() },
  S: { header: 'SNAPSHOTS', cell: (i) => String(i.snapshots?.length ?? 0) },
  t: {
    header: 'TYPE',
    cell: (i) =>
      `${i.type.toUpperCase()}${i.ephemeral ? ' (EPHEMERAL)' : ''}${isPrivileged(i.expanded_config) ? ' (PRIVILEGED)' : ''}`,
  },
  u: {
    header: 'CPU USAGE',
    cell: (i) => (active(i) && i.state.cpu ? `${Math.floor(i.state.cpu.usage / 1e9)}s` : ''),
  },
}

/** Parses a `-c` value (letters, optionally comma-separated). */
export function parseColumns(spec: string): Column[] {
  return [...spec.replaceAll(',', '')].map((ch) => {
    const c = columns[ch]
    if (!c) throw new Error(`Unknown column shorthand char '${ch}' in '${spec}'`)
    return c
  })
}

function matchesName(name: string, filter: string): boolean {
  const re = filter.includes('^') || filter.includes('$') ? filter : `^${filter}$`
  try {
    if (new RegExp(re).test(name)) return true
  } catch {
    // not a regexp: prefix match only
  }
  return name.startsWith(filter)
}

function matchesKey(i: InstanceFull, key: string, value: string): boolean {
  const lower = value.toLowerCase()
  if (key === 'state' || key === 'status') return i.status.toLowerCase() === lower
  if (key === 'type') return i.type === value
  if (key === 'architecture') return i.architecture === value
  if (key === 'location') return i.location === value
  const conf = i.expanded_config ?? {}
  const actual = conf[key] ?? (key.includes('.') ? undefined : conf[`user.${key}`])
  if (actual === undefined) return false
  if (actual === value) return true
  try {
    return new RegExp(`^${value}$`, 'i').test(actual)
  } catch {
    return false
  }
}

/** lxc's client-side filters: `key=value` on config and state, anything else on the name. */
export function matchesFilters(i: InstanceFull, filters: readonly string[]): boolean {
  return filters.every((f) => {
    const at = f.indexOf('=')
    return at < 0 ? matchesName(i.name, f) : matchesKey(i, f.slice(0, at), f.slice(at + 1))
  })
}

/** `corral list [<remote>:] [<filter>...]`. */
export const instanceList: CommandDefinition = {
  names: ['list', 'ls'],
  usage: '[<remote>:] [<filter>...]',
  short: 'List instances',
  args: { min: 0, max: Infinity },
  flags: [
    { long: 'columns', short: 'c', type: 'string', default: 'ns46tS', description: 'Columns' },
    formatFlag,
    { long: 'fast', type: 'boolean', description: 'Fast mode (same as --columns=nsacPt)' },
  ],
  async run(ctx, args, flags) {
    const format = formatOf(flags)
    let filters = args
    let remote: string | undefined
    if (args[0]?.includes(':')) {
      const split = splitRemote(await ctx.config(), args[0])
      remote = split.remote
      filters = split.name ? [split.name, ...args.slice(1)] : args.slice(1)
    }
    let spec = typeof flags.columns === 'string' ? flags.columns : 'ns46tS'
    if (flags.fast) spec = 'nsacPt'
    const cols = parseColumns(spec)
    const client = await ctx.client(remote)
    const all = (await client.instances.listFull()).filter((i) => matchesFilters(i, filters))
    return list(
      {
        header: cols.map((c) => c.header),
        rows: all.map((i) => cols.map((c) => c.cell(i))),
        raw: all.map((i) => instanceFullShape(i, format === 'json')),
      },
      format,
    )
  },
}
