/** @module `corral config get|set|unset|show|edit` for the server's configuration. */
import type { Client } from '@corral/client'
import { UsageError, parseSetArgs, type CommandDefinition, type CommandGroup } from '../command.js'
import type { Context } from '../context.js'
import { none, text, yaml } from '../render/result.js'
import { struct } from '../render/go-value.js'
import { toYaml } from '../render/yaml.js'
import { editFlow, parseYamlStrings, remoteClient, stringMap } from './common.js'

const targetFlag = { long: 'target', type: 'string', description: 'Cluster member name' } as const

/** Splits a leading `<remote>:` argument off; instance arguments are not supported yet. */
async function serverArgs(ctx: Context, args: string[]): Promise<{ client: Client; rest: string[] }> {
  if (args[0]?.endsWith(':')) return { client: await remoteClient(ctx, args[0]), rest: args.slice(1) }
  return { client: await ctx.client(), rest: args }
}

function noInstances(): never {
  throw new Error('Instances are not supported yet: only the server configuration can be used')
}

/** Applies a change to the server config with GET then PUT If-Match, as lxc does. */
async function updateConfig(client: Client, change: (config: Record<string, string>) => void): Promise<void> {
  const { server, etag } = await client.server.get()
  const config = { ...(server.config ?? {}) }
  change(config)
  await client.server.put({ config }, etag)
}

/** `corral config get [<remote>:]<key>`. */
export const configGet: CommandDefinition = {
  names: ['get'],
  usage: '[<remote>:][<instance>] <key>',
  short: 'Get values for instance or server configuration keys',
  args: { min: 1, max: 2 },
  flags: [
    { long: 'expanded', short: 'e', type: 'boolean', description: 'Access the expanded configuration' },
    targetFlag,
  ],
  async run(ctx, args) {
    const { client, rest } = await serverArgs(ctx, args)
    if (rest.length !== 1) noInstances()
    const { server } = await client.server.get()
    return text(`${server.config?.[rest[0]!] ?? ''}\n`)
  },
}

/** `corral config set [<remote>:]<key>=<value>...` (or `<key> <value>`). */
export const configSet: CommandDefinition = {
  names: ['set'],
  usage: '[<remote>:][<instance>] <key>=<value>...',
  short: 'Set instance or server configuration keys',
  long: 'Set instance or server configuration keys\n\nFor backward compatibility, a single configuration key may still be set with:\n    corral config set [<remote>:][<instance>] <key> <value>',
  examples: `corral config set core.https_address=[::]:8443
    Will have the server listen on IPv4 and IPv6 port 8443.`,
  args: { min: 1, max: Infinity },
  flags: [targetFlag],
  async run(ctx, args) {
    const { client, rest } = await serverArgs(ctx, args)
    if (rest.length === 0) throw new UsageError('Invalid number of arguments', true)
    if (rest.length > 2 && !rest[0]!.includes('=')) noInstances()
    const values = parseSetArgs(rest)
    await updateConfig(client, (config) => Object.assign(config, values))
    return none()
  },
}

/** `corral config unset [<remote>:]<key>`: sends the key empty, as lxc does. */
export const configUnset: CommandDefinition = {
  names: ['unset'],
  usage: '[<remote>:][<instance>] <key>',
  short: 'Unset instance or server configuration keys',
  args: { min: 1, max: 2 },
  flags: [targetFlag],
  async run(ctx, args) {
    const { client, rest } = await serverArgs(ctx, args)
    if (rest.length !== 1) noInstances()
    await updateConfig(client, (config) => (config[rest[0]!] = ''))
    return none()
  },
}

/** `corral config show [<remote>:]`. */
export const configShow: CommandDefinition = {
  names: ['show'],
  usage: '[<remote>:][<instance>[/<snapshot>]]',
  short: 'Show instance or server configurations',
  args: { min: 0, max: 1 },
  flags: [
    { long: 'expanded', short: 'e', type: 'boolean', description: 'Show the expanded configuration' },
    targetFlag,
  ],
  async run(ctx, args) {
    const { client, rest } = await serverArgs(ctx, args)
    if (rest.length > 0) noInstances()
    const { server } = await client.server.get()
    return yaml(struct({ config: server.config ?? {} }, ['config']))
  },
}

/** `corral config edit [<remote>:]`: YAML from stdin, or $EDITOR on a terminal. */
export const configEdit: CommandDefinition = {
  names: ['edit'],
  usage: '[<remote>:][<instance>[/<snapshot>]]',
  short: 'Edit instance or server configurations as YAML',
  examples: 'corral config edit < config.yaml\n    Update the server configuration from config.yaml.',
  args: { min: 0, max: 1 },
  flags: [targetFlag],
  async run(ctx, args) {
    const { client, rest } = await serverArgs(ctx, args)
    if (rest.length > 0) noInstances()
    const apply = async (edited: string, etag?: string): Promise<void> =>
      client.server.put({ config: stringMap((await parseYamlStrings(edited)).config) }, etag)
    if (!ctx.stdinIsTTY) {
      await apply(await ctx.readStdin())
      return none()
    }
    const { server, etag } = await client.server.get()
    const current = toYaml(struct({ config: server.config ?? {} }, ['config']))
    await editFlow(ctx, { header: '', current, apply: (edited) => apply(edited, etag) })
    return none()
  },
}

/** `corral config`. */
export const config: CommandGroup = {
  names: ['config'],
  short: 'Manage instance and server configuration options',
  subcommands: [configEdit, configGet, configSet, configShow, configUnset],
}
