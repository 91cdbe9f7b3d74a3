/** @module `corral warning list|show|acknowledge|delete`: the server's warnings, as lxc 5.0.2 shows them. */
import type { Warning } from '@corral/api'
import type { CommandDefinition, CommandGroup } from '../command.js'
import { struct, time, type GoStruct } from '../render/go-value.js'
import { goTimeText } from '../render/instance-shapes.js'
import { list, none, yaml } from '../render/result.js'
import { formatFlag, formatOf, remoteClient, target } from './common.js'
import { refCommand } from './ref-command.js'
import { certDate } from './trust/list.js'

const fields = [
  'status',
  'uuid',
  'location',
  'project',
  'type',
  'count',
  'first_seen_at',
  'last_seen_at',
  'last_message',
  'severity',
  'entity_url',
]

/** api.Warning in Go's field order (WarningPut's status first). */
export function warningShape(w: Warning, forJson = false): GoStruct {
  const at = (v: unknown) => (typeof v === 'string' ? goTimeText(v) : v)
  return struct(
    w,
    fields,
    forJson
      ? { first_seen_at: at, last_seen_at: at }
      : { first_seen_at: (v) => time(at(v)), last_seen_at: (v) => time(at(v)) },
  )
}

/** lxc's columns of `warning list` (L, the location, only on clusters). */
const columns: Record<string, { name: string; data: (w: Warning) => string }> = {
  c: { name: 'COUNT', data: (w) => String(w.count) },
  f: { name: 'FIRST SEEN', data: (w) => certDate(new Date(w.first_seen_at)) },
  l: { name: 'LAST SEEN', data: (w) => certDate(new Date(w.last_seen_at)) },
  p: { name: 'PROJECT', data: (w) => w.project },
  s: { name: 'SEVERITY', data: (w) => w.severity.toUpperCase() },
  S: { name: 'STATUS', data: (w) => w.status.toUpperCase() },
  t: { name: 'TYPE', data: (w) => w.type },
  u: { name: 'UUID', data: (w) => w.uuid },
}

const defaultColumns = 'utSscpLl'

/** Parses `-c`: shorthand characters, optionally comma-separated, as lxc does. */
function parseColumns(spec: string): { name: string; data: (w: Warning) => string }[] {
  if (spec !== defaultColumns && spec.includes('L'))
    throw new Error("Can't specify column L when not clustered")
  const cleaned = spec.replace(/L/g, '')
  return cleaned.split(',').flatMap((entry) => {
    if (entry === '')
      throw new Error(`Empty column entry (redundant, leading or trailing command) in '${cleaned}'`)
    return [...entry].map((ch) => {
      const c = columns[ch]
      if (!c) throw new Error(`Unknown column shorthand char '${ch}' in '${entry}'`)
      return c
    })
  })
}

/** `corral warning list [<remote>:]`: new warnings, or all with --all. */
export const warningList: CommandDefinition = {
  names: ['list', 'ls'],
  usage: '[<remote>:]',
  short: 'List warnings',
  long: `List warnings

The -c option takes a (optionally comma-separated) list of arguments
that control which warning attributes to output when displaying in table
or csv format.

Default column layout is: utSscpLl

Column shorthand chars:

    c - Count
    l - Last seen
    L - Location
    f - First seen
    p - Project
    s - Severity
    S - Status
    u - UUID
    t - Type`,
  args: { min: 0, max: 1 },
  flags: [
    { long: 'columns', short: 'c', type: 'string', default: defaultColumns, description: 'Columns' },
    formatFlag,
    { long: 'all', short: 'a', type: 'boolean', description: 'List all warnings' },
  ],
  async run(ctx, args, flags) {
    const format = formatOf(flags)
    const cols = parseColumns(typeof flags.columns === 'string' ? flags.columns : defaultColumns)
    const all = await (await remoteClient(ctx, args[0])).warnings.list()
    const shown = flags.all === true ? all : all.filter((w) => w.status === 'new')
    return list(
      {
        header: cols.map((c) => c.name),
        rows: shown.map((w) => cols.map((c) => c.data(w))),
        raw: shown.map((w) => warningShape(w, format === 'json')),
      },
      format,
    )
  },
}

/** Commands on one warning: resolves `[<remote>:]<warning-uuid>` before `run`. */
const warningCommand = refCommand((ctx, arg) => target(ctx, arg, 'warning'))

/** `corral warning show [<remote>:]<warning-uuid>`. */
export const warningShow: CommandDefinition = warningCommand({
  names: ['show'],
  usage: '[<remote>:]<warning-uuid>',
  short: 'Show warning',
  args: { min: 1, max: 1 },
  async run(client, name) {
    return yaml(warningShape(await client.warnings.get(name)))
  },
})

/** `corral warning acknowledge|ack [<remote>:]<warning-uuid>`. */
export const warningAcknowledge: CommandDefinition = warningCommand({
  names: ['acknowledge', 'ack'],
  usage: '[<remote>:]<warning-uuid>',
  short: 'Acknowledge warning',
  args: { min: 1, max: 1 },
  async run(client, name) {
    await client.warnings.update(name, { status: 'acknowledged' })
    return none()
  },
})

/** `corral warning delete|rm [<remote>:]<warning-uuid>`. */
export const warningDelete: CommandDefinition = warningCommand({
  names: ['delete', 'rm'],
  usage: '[<remote>:]<warning-uuid>',
  short: 'Delete warning',
  args: { min: 1, max: 1 },
  async run(client, name) {
    await client.warnings.delete(name)
    return none()
  },
})

/** `corral warning`. */
export const warning: CommandGroup = {
  names: ['warning'],
  short: 'Manage warnings',
  subcommands: [warningAcknowledge, warningDelete, warningList, warningShow],
}
