/** @module corral's entry point: builds the commander tree from the command list and runs it. */
import { Command, CommanderError } from 'commander'
import { UsageError, isGroup, type CommandDefinition, type CommandGroup, type FlagValues } from './command.js'
import { commands } from './commands/index.js'
import type { Context, GlobalFlags } from './context.js'
import { groupHelp, helpFor, leafHelp } from './help.js'
import { nodeContext } from './node-context.js'
import { render, type Result } from './render/result.js'
import { clientVersion } from './version.js'

/** Where output goes; tests capture it. */
export interface Io {
  stdout(text: string): void
  stderr(text: string): void
}

/** Builds the Context for a run from the parsed global flags. */
export type ContextFactory = (global: GlobalFlags) => Context

/** `corral help [command]...`: help about any command (resolved in main, which knows the tree). */
const helpCommand: CommandDefinition = {
  names: ['help'],
  usage: '[command]',
  short: 'Help about any command',
  args: { min: 0, max: Infinity },
  run: () => Promise.resolve({ kind: 'none' }),
}

const rootGroup: CommandGroup = {
  names: ['corral'],
  short: 'Command line client for Corral',
  long: "Command line client for Corral\n\nAll of Corral's features can be driven through the various commands below.\nFor help with any of those, simply call them with --help.",
  subcommands: [...commands, helpCommand],
}

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())

/** Runs corral with arguments (without `node` and the script); resolves to the exit code. */
export async function main(
  argv: readonly string[],
  io: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
  makeContext: ContextFactory = (g) => nodeContext(g),
): Promise<number> {
  let exitCode = 0
  const fail = (message: string): void => {
    io.stderr(`Error: ${message}\n`)
    exitCode = 1
  }
  const helpText = new Map<Command, () => string>()

  const globals = (cmd: Command): GlobalFlags => {
    const o = cmd.optsWithGlobals<Record<string, unknown>>()
    return {
      project: typeof o.project === 'string' ? o.project : undefined,
      debug: o.debug === true,
      quiet: o.quiet === true,
      forceLocal: o.forceLocal === true,
    }
  }

  const emit = async (result: Result): Promise<void> => {
    if (result.kind === 'exit') {
      exitCode = result.code
      return
    }
    if (result.kind === 'stream') {
      for await (const line of result.lines) io.stdout(line)
      return
    }
    const { stdout, stderr } = render(result)
    if (stdout) io.stdout(stdout)
    if (stderr) io.stderr(stderr)
    if (result.kind === 'text' && result.exitCode !== undefined) exitCode = result.exitCode
  }

  const runLeaf = async (def: CommandDefinition, cmd: Command, args: string[]): Promise<void> => {
    const help = helpText.get(cmd)!
    if (args.length < def.args.min || args.length > def.args.max) {
      io.stdout(help())
      if (args.length !== 0) fail('Invalid number of arguments')
      return
    }
    const opts = cmd.opts<Record<string, unknown>>()
    const flags: FlagValues = {}
    for (const f of def.flags ?? []) flags[f.long] = opts[camel(f.long)] as FlagValues[string]
    try {
      await emit(await def.run(makeContext(globals(cmd)), args, flags))
    } catch (err) {
      if (err instanceof UsageError && err.showHelp) io.stdout(help())
      fail(err instanceof Error ? err.message : String(err))
    }
  }

  const build = (parent: Command, c: CommandDefinition | CommandGroup, path: string): void => {
    const cmd = parent.command(c.names[0]!).aliases(c.names.slice(1)).description(c.short)
    cmd.argument('[args...]')
    if (isGroup(c)) {
      helpText.set(cmd, () => groupHelp(c, path))
      for (const sub of c.subcommands) build(cmd, sub, `${path} ${sub.names[0]!}`)
      cmd.action((args: string[]) => {
        if (args.length > 0) return fail(`unknown command "${args[0]!}" for "${path}"`)
        io.stdout(groupHelp(c, path, false))
      })
      return
    }
    helpText.set(cmd, () => leafHelp(c, path))
    for (const f of c.flags ?? []) {
      const names = `${f.short ? `-${f.short}, ` : ''}--${f.long}`
      if (f.type === 'boolean') cmd.option(names, f.description)
      else if (f.type === 'string') cmd.option(`${names} <value>`, f.description, f.default)
      else cmd.option(`${names} <value>`, f.description, (v: string, prev: string[]) => [...prev, v], [])
    }
    cmd.action((args: string[], _opts: unknown, self: Command) => runLeaf(c, self, args))
  }

  const program = new Command('corral')
  program
    .option('--project <project>')
    .option('--debug')
    .option('-q, --quiet')
    .option('-v, --verbose')
    .option('--force-local')
    .option('--sub-commands')
    .option('--version')
    .argument('[args...]')
  helpText.set(program, () => groupHelp(rootGroup, 'corral'))
  // Only the named command's subtree is built when the arguments name one: commander then has
  // a few dozen options to set up instead of every command's (help lists from the definitions).
  const named = commandNamed(argv)
  for (const c of named ? [named] : commands) build(program, c, `corral ${c.names[0]!}`)
  program
    .command('help')
    .argument('[command...]')
    .action((path: string[]) => io.stdout(helpForPath(path)))
  program.action((args: string[]) => {
    if (program.opts().version) return io.stdout(`${clientVersion}\n`)
    if (args.length > 0) return fail(`unknown command "${args[0]!}" for "corral"`)
    io.stdout(helpFor(rootGroup, 'corral'))
  })
  configure(program, io, helpText)

  try {
    await program.parseAsync([...argv], { from: 'user' })
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') return 0
    fail(commanderMessage(err))
  }
  return exitCode
}

/** The top-level command the arguments name (the first word that is neither a flag nor --project's value). */
function commandNamed(argv: readonly string[]): CommandDefinition | CommandGroup | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') return undefined
    if (a === '--project') i++
    else if (!a.startsWith('-')) return commands.find((c) => c.names.includes(a))
  }
  return undefined
}

/** Help for a command path (`profile device add`); the root help when the path is unknown. */
function helpForPath(path: readonly string[]): string {
  let node: CommandDefinition | CommandGroup = rootGroup
  let name = 'corral'
  for (const word of path) {
    if (!isGroup(node)) break
    const next: CommandDefinition | CommandGroup | undefined = node.subcommands.find((c) =>
      c.names.includes(word),
    )
    if (!next) return helpFor(rootGroup, 'corral')
    node = next
    name += ` ${next.names[0]!}`
  }
  return helpFor(node, name)
}

/** Applies output, error and help settings to a command and (recursively) its subcommands. */
function configure(cmd: Command, io: Io, helpText: Map<Command, () => string>): void {
  cmd.exitOverride()
  cmd.configureOutput({ writeOut: (t) => io.stdout(t), writeErr: () => {}, outputError: () => {} })
  cmd.helpOption('-h, --help')
  cmd.helpCommand(false)
  cmd.configureHelp({ formatHelp: (c) => helpText.get(c)?.() ?? '' })
  for (const sub of cmd.commands) configure(sub, io, helpText)
}

/** Rewords commander's errors as cobra (lxc) words them. */
export function commanderMessage(err: CommanderError): string {
  const unknown = /unknown option '(-[^-'][^']*|--[^']+)'/.exec(err.message)
  if (unknown) {
    const flag = unknown[1]!
    return flag.startsWith('--')
      ? `unknown flag: ${flag}`
      : `unknown shorthand flag: '${flag[1]!}' in ${flag}`
  }
  const missing = /option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(err.message)
  if (missing) return `flag needs an argument: ${missing[1]!}`
  return err.message.replace(/^error: /, '')
}

/** The `corral` binary: runs main on process.argv and exits quietly when stdout is closed early. */
export async function run(): Promise<void> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
  process.exitCode = await main(process.argv.slice(2))
}
