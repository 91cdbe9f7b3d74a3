/** @module Help text in lxc's layout (Description, Usage, Aliases, Examples, Flags, Global Flags). */
import { isGroup, type CommandDefinition, type CommandGroup, type FlagDef } from './command.js'

/** The flags every command accepts, as lxc lists them. */
export const globalFlags: readonly FlagDef[] = [
  { long: 'debug', type: 'boolean', description: 'Show all debug messages' },
  { long: 'force-local', type: 'boolean', description: 'Force using the local unix socket' },
  { long: 'help', short: 'h', type: 'boolean', description: 'Print help' },
  { long: 'project', type: 'string', description: 'Override the source project' },
  { long: 'quiet', short: 'q', type: 'boolean', description: "Don't show progress information" },
  { long: 'sub-commands', type: 'boolean', description: 'Use with help or --help to view sub-commands' },
  { long: 'verbose', short: 'v', type: 'boolean', description: 'Show all information messages' },
  { long: 'version', type: 'boolean', description: 'Print version number' },
]

const indent = (text: string): string =>
  text
    .split('\n')
    .map((l) => (l === '' ? '' : `  ${l}`))
    .join('\n')

/** Renders a flag table: `  -f, --format   Text (default "x")`. */
export function flagLines(flags: readonly FlagDef[]): string {
  const sorted = [...flags].sort((a, b) => (a.long < b.long ? -1 : 1))
  const width = Math.max(...sorted.map((f) => f.long.length + 2))
  return sorted
    .map((f) => {
      const short = f.short ? `-${f.short}, ` : '    '
      const def = f.type === 'string' && f.default ? ` (default "${f.default}")` : ''
      return `  ${short}${`--${f.long}`.padEnd(width)}   ${f.description}${def}\n`
    })
    .join('')
}

/** Help of a leaf command; `path` is the full command (`corral profile show`). */
export function leafHelp(def: CommandDefinition, path: string): string {
  let out = `Description:\n${indent(def.long ?? def.short)}\n\nUsage:\n  ${path} ${def.usage}${def.usage ? ' ' : ''}[flags]\n\n`
  if (def.names.length > 1) out += `Aliases:\n  ${def.names.join(', ')}\n\n`
  if (def.examples) out += `Examples:\n${indent(def.examples)}\n\n`
  if (def.flags?.length) out += `Flags:\n${flagLines(def.flags)}\n`
  return `${out}Global Flags:\n${flagLines(globalFlags)}`
}

/** Help of a command group; without `description` it starts at Usage, as bare `lxc profile` does. */
export function groupHelp(group: CommandGroup, path: string, description = true): string {
  const names = group.subcommands.map((c) => c.names[0]!)
  const pad = Math.max(11, ...names.map((n) => n.length))
  const list = [...group.subcommands]
    .sort((a, b) => (a.names[0]! < b.names[0]! ? -1 : 1))
    .map((c) => `  ${c.names[0]!.padEnd(pad)} ${c.short}\n`)
    .join('')
  const root = !path.includes(' ')
  let out = description ? `Description:\n${indent(group.long ?? group.short)}\n\n` : ''
  out += `Usage:\n${root ? '' : `  ${path} [flags]\n`}  ${path} [command]\n\n`
  if (group.names.length > 1) out += `Aliases:\n  ${group.names.join(', ')}\n\n`
  out += `Available Commands:\n${list}\n`
  out += `${root ? 'Flags' : 'Global Flags'}:\n${flagLines(globalFlags)}\n`
  return `${out}Use "${path} [command] --help" for more information about a command.\n`
}

/** Help for either kind of command. */
export function helpFor(c: CommandDefinition | CommandGroup, path: string): string {
  return isGroup(c) ? groupHelp(c, path) : leafHelp(c, path)
}
