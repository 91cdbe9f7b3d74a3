/** @module One builder for `<thing> list [<remote>:]` commands: --format, the remote, a table or raw objects. */
import type { Client } from '@corral/client'
import type { CommandDefinition } from '../command.js'
import type { Context } from '../context.js'
import { list } from '../render/result.js'
import { formatFlag, formatOf, remoteClient } from './common.js'

/** What one list command shows. */
export interface ListSpec<T> {
  /** Command names; `list`, `ls` when absent. */
  names?: string[]
  /** Resolves the `[<remote>:]` argument to a client; `remoteClient` when absent. */
  client?(ctx: Context, remoteArg: string | undefined): Promise<Client>
  /** Help line. */
  short: string
  /** Table header. */
  header: string[]
  /** Fetches the items from the remote. */
  fetch(client: Client): Promise<T[]>
  /** The table rows; `remoteArg` is the optional `[<remote>:]` argument. */
  rows(items: T[], ctx: Context, remoteArg: string | undefined): Promise<string[][]> | string[][]
  /** One item as json/yaml output shows it. */
  raw(item: T, format: string): unknown
}

/** `list|ls [<remote>:]` with `-f, --format`. */
export function listCommand<T>(spec: ListSpec<T>): CommandDefinition {
  return {
    names: spec.names ?? ['list', 'ls'],
    usage: '[<remote>:]',
    short: spec.short,
    args: { min: 0, max: 1 },
    flags: [formatFlag],
    async run(ctx, args, flags) {
      const format = formatOf(flags)
      const items = await spec.fetch(await (spec.client ?? remoteClient)(ctx, args[0]))
      const rows = await spec.rows(items, ctx, args[0])
      return list({ header: spec.header, rows, raw: items.map((i) => spec.raw(i, format)) }, format)
    },
  }
}
