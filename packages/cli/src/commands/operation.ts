/** @module `corral operation list|show|delete`: background operations. */
import type { Operation } from '@corral/api'
import type { CommandDefinition, CommandGroup } from '../command.js'
import { operationShape } from '../render/shapes.js'
import { listCommand } from './list-command.js'
import { deleteCommand, showCommand } from './named-commands.js'

const pad = (n: number): string => String(n).padStart(2, '0')

/** Formats a timestamp as lxc's CREATED column: `2006/01/02 15:04 UTC`. */
export function createdColumn(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`
}

function row(op: Operation): string[] {
  return [
    op.id,
    op.class.toUpperCase(),
    op.description,
    op.status.toUpperCase(),
    op.may_cancel ? 'YES' : 'NO',
    createdColumn(op.created_at),
  ]
}

/** `corral operation list [<remote>:]`. */
export const operationList: CommandDefinition = listCommand({
  short: 'List background operations',
  header: ['ID', 'TYPE', 'DESCRIPTION', 'STATUS', 'CANCELABLE', 'CREATED'],
  fetch: (client) => client.operations.list(),
  rows: (ops) => ops.map(row),
  raw: (op, format) => operationShape(op, format === 'json'),
})

/** `corral operation show [<remote>:]<operation>`. */
export const operationShow: CommandDefinition = {
  ...showCommand({
    what: 'operation',
    arg: 'operation',
    short: 'Show details on a background operation',
    shape: async (client, name) => operationShape(await client.operations.get(name)),
  }),
  examples:
    'corral operation show 344a79e4-d88a-45bf-9c39-c72c26f6ab8a\n    Show details on that operation UUID',
}

/** `corral operation delete [<remote>:]<operation>`: cancels it. */
export const operationDelete: CommandDefinition = deleteCommand({
  names: ['delete', 'cancel', 'rm'],
  what: 'operation',
  arg: 'operation',
  label: 'Operation',
  short: 'Delete a background operation (will attempt to cancel)',
  remove: (client, name) => client.operations.cancel(name),
})

/** `corral operation`. */
export const operation: CommandGroup = {
  names: ['operation'],
  short: 'List, show and delete background operations',
  subcommands: [operationDelete, operationList, operationShow],
}
