/** @module `corral exec`: runs a command through exec websockets, mirroring the terminal, signals and exit code. */
import type { CommandDefinition } from '../../command.js'
import { exit } from '../../render/result.js'
import { instanceRef } from './common.js'

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [])

/** Whether exec runs interactively: `--mode`, `-t`/`-T`, else both stdin and stdout are terminals. */
export function interactiveMode(
  flags: Record<string, unknown>,
  tty: { stdin: boolean; stdout: boolean },
): boolean {
  const mode = typeof flags.mode === 'string' ? flags.mode : 'auto'
  if (!['auto', 'interactive', 'non-interactive'].includes(mode)) throw new Error(`Invalid mode "${mode}"`)
  if (flags['force-interactive'] && flags['force-noninteractive'])
    throw new Error("You can't pass -t and -T at the same time")
  if (flags['force-interactive'] || mode === 'interactive') return true
  if (flags['force-noninteractive'] || mode === 'non-interactive') return false
  return tty.stdin && tty.stdout
}

function parseUint(v: unknown, flag: string): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid argument "${v}" for "--${flag}" flag`)
  return n
}

/** `corral exec [<remote>:]<instance> [flags] [--] <command line>`. */
export const instanceExec: CommandDefinition = {
  names: ['exec'],
  usage: '[<remote>:]<instance> [flags] [--] <command line>',
  short: 'Execute commands in instances',
  long: 'Execute commands in instances\n\nThe command is executed directly using exec, so there is no shell and\nshell patterns (variables, file redirects, ...) won\'t be understood.\nIf you need a shell environment you need to execute the shell\nexecutable, passing the shell commands as arguments, for example:\n\n  corral exec <instance> -- sh -c "cd /tmp && pwd"\n\nMode defaults to non-interactive, interactive mode is selected if both stdin AND stdout are terminals (stderr is ignored).',
  args: { min: 2, max: Infinity },
  flags: [
    { long: 'cwd', type: 'string', description: 'Directory to run the command in (default /root)' },
    {
      long: 'disable-stdin',
      short: 'n',
      type: 'boolean',
      description: 'Disable stdin (reads from /dev/null)',
    },
    { long: 'env', type: 'strings', description: 'Environment variable to set (e.g. HOME=/home/foo)' },
    {
      long: 'force-interactive',
      short: 't',
      type: 'boolean',
      description: 'Force pseudo-terminal allocation',
    },
    {
      long: 'force-noninteractive',
      short: 'T',
      type: 'boolean',
      description: 'Disable pseudo-terminal allocation',
    },
    { long: 'group', type: 'string', description: 'Group ID to run the command as (default 0)' },
    {
      long: 'mode',
      type: 'string',
      default: 'auto',
      description: 'Override the terminal mode (auto, interactive or non-interactive)',
    },
    { long: 'user', type: 'string', description: 'User ID to run the command as (default 0)' },
  ],
  async run(ctx, args, flags) {
    const { client, name } = await instanceRef(ctx, args[0]!)
    const io = ctx.stdio
    const interactive = interactiveMode(flags, { stdin: io.stdinIsTTY, stdout: io.stdoutIsTTY })
    const environment: Record<string, string> = {}
    if (ctx.env.TERM) environment.TERM = ctx.env.TERM
    for (const kv of list(flags.env)) {
      const at = kv.indexOf('=')
      if (at < 0) environment[kv] = ctx.env[kv] ?? ''
      else environment[kv.slice(0, at)] = kv.slice(at + 1)
    }
    const size = interactive && io.stdoutIsTTY ? io.size() : { width: 0, height: 0 }
    const op = await client.instances.exec(name, {
      command: args.slice(1),
      environment,
      'wait-for-websocket': true,
      interactive,
      'record-output': false,
      width: size.width,
      height: size.height,
      ...(typeof flags.cwd === 'string' ? { cwd: flags.cwd } : {}),
      ...(parseUint(flags.user, 'user') !== undefined ? { user: parseUint(flags.user, 'user') } : {}),
      ...(parseUint(flags.group, 'group') !== undefined ? { group: parseUint(flags.group, 'group') } : {}),
    })
    const stdin = flags['disable-stdin'] ? undefined : io.stdin
    const raw = interactive && io.stdinIsTTY
    if (raw) io.setRaw(true)
    const cleanups: (() => void)[] = []
    try {
      const session = await client.attachExec(op, {
        stdin,
        stdout: (d) => io.out(d),
        stderr: (d) => io.err(d),
      })
      const resize = (): void => {
        const s = io.size()
        void session.control({
          command: 'window-resize',
          args: { width: String(s.width), height: String(s.height) },
        })
      }
      if (interactive) cleanups.push(io.onResize(resize))
      cleanups.push(
        io.onSignal(
          (signal) => void session.control({ command: 'signal', signal, args: { signal: String(signal) } }),
        ),
      )
      const code = await session.done
      return exit(code)
    } finally {
      for (const c of cleanups) c()
      if (raw) io.setRaw(false)
      if (stdin && 'pause' in stdin) (stdin as NodeJS.ReadStream).pause()
    }
  },
}
