/** @module The contract every command module follows, and the usage errors commands raise. */
import type { Context } from './context.js'
import type { Result } from './render/result.js'

/** A flag of a command (global flags are declared in main.ts). */
export interface FlagDef {
  /** Long name without dashes (`format`). */
  long: string
  /** One-letter short name (`f`). */
  short?: string
  /** `boolean` takes no value, `string` one, `strings` is repeatable. */
  type: 'boolean' | 'string' | 'strings'
  /** Default value shown in help as `(default "x")`. */
  default?: string
  /** Help text. */
  description: string
}

/** Parsed flag values of one command. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>

/** A leaf command: parses nothing itself, returns data for the renderer. */
export interface CommandDefinition {
  /** Name first, then aliases. */
  names: readonly string[]
  /** Arguments as lxc's help shows them (`[<remote>:]<profile>`). */
  usage: string
  /** One-line description (help and the parent's command list). */
  short: string
  /** Longer description shown instead of `short` in the command's help. */
  long?: string
  /** Example lines for help. */
  examples?: string
  /** Accepted number of positional arguments. */
  args: { min: number; max: number }
  flags?: readonly FlagDef[]
  /** Runs the command and returns what to print. */
  run(ctx: Context, args: string[], flags: FlagValues): Promise<Result>
}

/** A command that only holds subcommands (`profile`, `profile device`). */
export interface CommandGroup {
  names: readonly string[]
  short: string
  long?: string
  subcommands: readonly (CommandDefinition | CommandGroup)[]
}

/** True when a definition is a group. */
export const isGroup = (c: CommandDefinition | CommandGroup): c is CommandGroup => 'subcommands' in c

/** An error caused by how the command was called; lxc prints the help before it for some. */
export class UsageError extends Error {
  /** Print the command's help on stdout before the error. */
  readonly showHelp: boolean
  constructor(message: string, showHelp = false) {
    super(message)
    this.name = 'UsageError'
    this.showHelp = showHelp
  }
}

/** Parses `key=value` arguments into a map; lxc's message for a bad one. */
export function parseKeyValues(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const arg of args) {
    const at = arg.indexOf('=')
    if (at < 0) throw new Error(`Invalid key=value configuration: ${arg}`)
    out[arg.slice(0, at)] = arg.slice(at + 1)
  }
  return out
}

/** Parses `set` arguments: `<key> <value>` (legacy) or `<key>=<value>...`. */
export function parseSetArgs(args: readonly string[]): Record<string, string> {
  if (args.length === 2 && !args[0]!.includes('=')) return { [args[0]!]: args[1]! }
  return parseKeyValues(args)
}
