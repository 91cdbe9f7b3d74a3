/** @module Helpers shared by command modules: remote:name arguments, --format, YAML input, edit loops. */
import type { Client } from '@corral/client'
import { UsageError, type FlagDef, type FlagValues } from '../command.js'
import type { Context } from '../context.js'
import { listFormats } from '../render/format.js'
import { splitRemote } from '../remotes/config.js'

/** The `-f, --format` flag of list commands. */
export const formatFlag: FlagDef = {
  long: 'format',
  short: 'f',
  type: 'string',
  default: 'table',
  description: `Format (${listFormats.join('|')})`,
}

/** Validates and returns the --format value. */
export function formatOf(flags: FlagValues): string {
  const f = typeof flags.format === 'string' ? flags.format : 'table'
  if (!(listFormats as readonly string[]).includes(f)) throw new Error(`Invalid format "${f}"`)
  return f
}

/** Resolves `[<remote>:]<name>` to a client and a name; `what` names the thing in "Missing X name". */
export async function target(
  ctx: Context,
  arg: string,
  what: string,
): Promise<{ client: Client; name: string }> {
  const { remote, name } = splitRemote(await ctx.config(), arg)
  if (name === '') throw new Error(`Missing ${what} name`)
  return { client: await ctx.client(remote), name }
}

/** Resolves an optional `[<remote>:]` argument to a client. */
export async function remoteClient(ctx: Context, arg: string | undefined): Promise<Client> {
  if (arg === undefined) return ctx.client()
  const { remote, name } = splitRemote(await ctx.config(), arg.includes(':') ? arg : `${arg}:`)
  if (name !== '') throw new UsageError('Invalid number of arguments', true)
  return ctx.client(remote)
}

/** Reads a YAML document where every scalar is a string (go-yaml decoding into string fields). */
export async function parseYamlStrings(text: string): Promise<Record<string, unknown>> {
  const { parse } = await import('yaml')
  const value: unknown = parse(text, { schema: 'failsafe' })
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

/** A string map from a parsed YAML field (nested values are dropped). */
export function stringMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {}
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v
  return out
}

/** A device map (name → string map) from a parsed YAML field. */
export function deviceMap(value: unknown): Record<string, Record<string, string>> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {}
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringMap(v)]))
}

/** The edit flow lxc uses: stdin when it is not a terminal (`current` unused), else $EDITOR with a retry on errors. */
export async function editFlow(
  ctx: Context,
  opts: { header: string; current: string; apply: (text: string) => Promise<void> },
): Promise<void> {
  if (!ctx.stdinIsTTY) return opts.apply(await ctx.readStdin())
  let content = opts.header + opts.current
  for (;;) {
    content = await ctx.edit(content)
    try {
      return await opts.apply(content)
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err)
      await ctx.pause(
        `Config parsing error: ${msg}\nPress enter to open the editor again or ctrl+c to abort change\n`,
      )
    }
  }
}
