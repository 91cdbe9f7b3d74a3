/** @module `corral config get|set|unset|show|edit` for the server's configuration. */
import type { ServerConfig } from '@corral/api'
import type { Client } from '@corral/client'
import { UsageError, parseSetArgs, type CommandDefinition, type CommandGroup } from '../command.js'
import type { Context } from '../context.js'
import { none, text, yaml } from '../render/result.js'
import { struct } from '../render/go-value.js'
import { toYaml } from '../render/yaml.js'
import { editFlow, parseYamlStrings, remoteClient, stringMap } from './common.js'
import { instanceRef } from './instance/common.js'
import {
  instanceConfigEdit,
  instanceConfigGet,
  instanceConfigSet,
  instanceConfigShow,
  instanceConfigUnset,
} from './instance/config.js'
import { configDevice } from './instance/device.js'
import { configTrust } from './trust/index.js'

const targetFlag = { long: 'target', type: 'string', description: 'Cluster member name' } as const

/** What a config command acts on: the server of a remote, or an instance. */
interface ConfigTarget {
  client: Client
  instance?: string
  rest: string[]
}

/** Resolves the optional first argument: `<remote>:` is a server, anything else an instance. */
async function configTarget(ctx: Context, args: string[], hasTarget: boolean): Promise<ConfigTarget> {
  if (!hasTarget) return { client: await ctx.client(), rest: args }
  const first = args[0]!
  if (first.endsWith(':')) return { client: await remoteClient(ctx, first), rest: args.slice(1) }
  const { client, name, snapshot } = await instanceRef(ctx, first)
  if (snapshot !== undefined) throw new Error('Snapshots are not supported by this command')
  return { client, instance: name, rest: args.slice(1) }
}

/** lxc's rule for `config set`: is the first argument a target rather than a key? */
function setHasTarget(args: string[]): boolean {
  if (args.length === 1 || args[0]!.includes('=')) return false
  if (args.some((a) => a.includes('='))) return true
  return args.length % 2 === 1
}

/** Applies a change to the server config with GET then PUT If-Match, as lxc does. */
async function updateConfig(client: Client, change: (config: ServerConfig) => void): Promise<void> {
  const { server, etag } = await client.server.get()
  const config = { ...(server.config ?? {}) }
  change(config)
  await client.server.put({ config }, etag)
}

/** `corral config get [<remote>:][<instance>] <key>`. */
export const configGet: CommandDefinition = {
  names: ['get'],
  usage: '[<remote>:][<instance>] <key>',
  short: 'Get values for instance or server configuration keys',
  args: { min: 1, max: 2 },
  flags: [
    { long: 'expanded', short: 'e', type: 'boolean', description: 'Access the expanded configuration' },
    targetFlag,
  ],
  async run(ctx, args, flags) {
    const { client, instance, rest } = await configTarget(ctx, args, args.length === 2)
    if (instance !== undefined) return instanceConfigGet(client, instance, rest[0]!, flags.expanded === true)
    const { server } = await client.server.get()
    return text(`${server.config?.[rest[0]!] ?? ''}\n`)
  },
}

/** `corral config set [<remote>:][<instance>] <key>=<value>...` (or `<key> <value>`). */
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
    const { client, instance, rest } = await configTarget(ctx, args, setHasTarget(args))
    if (rest.length === 0) throw new UsageError('Invalid number of arguments', true)
    const values = parseSetArgs(rest)
    if (instance !== undefined) return instanceConfigSet(client, instance, values)
    await updateConfig(client, (config) => Object.assign(config, values))
    return none()
  },
}

/** `corral config unset [<remote>:][<instance>] <key>`: sends the key empty, as lxc does. */
export const configUnset: CommandDefinition = {
  names: ['unset'],
  usage: '[<remote>:][<instance>] <key>',
  short: 'Unset instance or server configuration keys',
  args: { min: 1, max: 2 },
  flags: [targetFlag],
  async run(ctx, args) {
    const { client, instance, rest } = await configTarget(ctx, args, args.length === 2)
    if (instance !== undefined) return instanceConfigUnset(client, instance, rest[0]!)
    await updateConfig(client, (config) => (config[rest[0]!] = ''))
    return none()
  },
}

/** `corral config show [<remote>:][<instance>] [--expanded]`. */
export const configShow: CommandDefinition = {
  names: ['show'],
  usage: '[<remote>:][<instance>[/<snapshot>]]',
  short: 'Show instance or server configurations',
  args: { min: 0, max: 1 },
  flags: [
    { long: 'expanded', short: 'e', type: 'boolean', description: 'Show the expanded configuration' },
    targetFlag,
  ],
  async run(ctx, args, flags) {
    const { client, instance } = await configTarget(ctx, args, args.length === 1)
    if (instance !== undefined) return instanceConfigShow(client, instance, flags.expanded === true)
    const { server } = await client.server.get()
    return yaml(struct({ config: server.config ?? {} }, ['config']))
  },
}

/** `corral config edit [<remote>:][<instance>]`: YAML from stdin, or $EDITOR on a terminal. */
export const configEdit: CommandDefinition = {
  names: ['edit'],
  usage: '[<remote>:][<instance>[/<snapshot>]]',
  short: 'Edit instance or server configurations as YAML',
  examples: 'corral config edit < config.yaml\n    Update the server configuration from config.yaml.',
  args: { min: 0, max: 1 },
  flags: [targetFlag],
  async run(ctx, args) {
    const { client, instance } = await configTarget(ctx, args, args.length === 1)
    if (instance !== undefined) return instanceConfigEdit(ctx, client, instance)
    const apply = async (edited: string, etag?: string): Promise<void> => {
      const config: ServerConfig = stringMap((await parseYamlStrings(edited)).config)
      // The server shows a set trust password as `true`; written back as such it means "keep it".
      if (config['core.trust_password'] === 'true') config['core.trust_password'] = true
      await client.server.put({ config }, etag)
    }
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
  subcommands: [configDevice, configEdit, configGet, configSet, configShow, configTrust, configUnset],
}
