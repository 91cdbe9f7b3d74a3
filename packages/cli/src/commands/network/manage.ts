/** @module `network create|delete|rename|show|get|set|unset|edit`: a network's definition and config. */
import type { NetworkPut } from '@corral/api'
import { parseSetArgs, type CommandDefinition } from '../../command.js'
import type { Client } from '@corral/client'
import { none, text, yaml } from '../../render/result.js'
import { parseYamlStrings, stringMap } from '../common.js'
import { deleteCommand, renameCommand } from '../named-commands.js'
import { editCommand } from '../edit-command.js'
import { splitRemote } from '../../remotes/config.js'
import { networkCommand, networkShape, onlyManaged, targetFlag } from './common.js'

/** `network create [<remote>:]<network> [key=value...]`: prints `Network <name> created`. */
export const networkCreate: CommandDefinition = {
  names: ['create'],
  usage: '[<remote>:]<network> [key=value...]',
  short: 'Create new networks',
  args: { min: 1, max: Infinity },
  flags: [targetFlag, { long: 'type', short: 't', type: 'string', description: 'Network type' }],
  async run(ctx, args, flags) {
    const { remote, name } = splitRemote(await ctx.config(), args[0]!)
    const config: Record<string, string> = {}
    for (const arg of args.slice(1)) {
      const at = arg.indexOf('=')
      if (at < 0) throw new Error(`Bad key/value pair: ${arg}`)
      config[arg.slice(0, at)] = arg.slice(at + 1)
    }
    const client = await ctx.client(remote)
    const type = typeof flags.type === 'string' ? flags.type : ''
    await client.networks.create({ name, type, config, description: '' })
    return ctx.global.quiet ? none() : text(`Network ${name} created\n`)
  },
}

const networkNamed = { what: 'network', arg: 'network', label: 'Network' }

/** `network delete|rm [<remote>:]<network>`. */
export const networkDelete: CommandDefinition = deleteCommand({
  ...networkNamed,
  short: 'Delete networks',
  remove: (client, name) => client.networks.delete(name),
})

/** `network rename|mv [<remote>:]<network> <new-name>`. */
export const networkRename: CommandDefinition = renameCommand({
  ...networkNamed,
  short: 'Rename networks',
  rename: (client, name, newName) => client.networks.rename(name, newName),
})

/** `network show [<remote>:]<network>`: YAML with `used_by` sorted. */
export const networkShow: CommandDefinition = networkCommand({
  names: ['show'],
  usage: '[<remote>:]<network>',
  short: 'Show network configurations',
  args: { min: 1, max: 1 },
  flags: [targetFlag],
  async run(client, name) {
    const { network } = await client.networks.get(name)
    return yaml(networkShape({ ...network, used_by: [...(network.used_by ?? [])].sort() }))
  },
})

/** `network get [<remote>:]<network> <key>`: prints nothing for a key that is not set, as lxc. */
export const networkGet: CommandDefinition = networkCommand({
  names: ['get'],
  usage: '[<remote>:]<network> <key>',
  short: 'Get values for network configuration keys',
  args: { min: 2, max: 2 },
  flags: [targetFlag],
  async run(client, name, args) {
    const { network } = await client.networks.get(name)
    const value = network.config?.[args[1]!]
    return value === undefined ? none() : text(`${value}\n`)
  },
})

/** GET, refuse host interfaces, merge `values()` into the config, then PUT with If-Match. */
async function setKeys(client: Client, name: string, values: () => Record<string, string>): Promise<void> {
  const { network, etag } = await client.networks.get(name)
  if (!network.managed) throw new Error(onlyManaged)
  const config = { ...network.config, ...values() }
  await client.networks.put(name, { config, description: network.description }, etag)
}

/** `network set [<remote>:]<network> <key>=<value>...` (or the legacy `<key> <value>`). */
export const networkSet: CommandDefinition = networkCommand({
  names: ['set'],
  usage: '[<remote>:]<network> <key>=<value>...',
  short: 'Set network configuration keys',
  long: 'Set network configuration keys\n\nFor backward compatibility, a single configuration key may still be set with:\n    corral network set [<remote>:]<network> <key> <value>',
  args: { min: 2, max: Infinity },
  flags: [targetFlag],
  async run(client, name, args) {
    await setKeys(client, name, () => parseSetArgs(args.slice(1)))
    return none()
  },
})

/** `network unset [<remote>:]<network> <key>`: lxc's `set <key> ""` (the server drops empty keys). */
export const networkUnset: CommandDefinition = networkCommand({
  names: ['unset'],
  usage: '[<remote>:]<network> <key>',
  short: 'Unset network configuration keys',
  args: { min: 2, max: 2 },
  flags: [targetFlag],
  async run(client, name, args) {
    await setKeys(client, name, () => parseSetArgs([args[1]!, '']))
    return none()
  },
})

/** The comment block lxc shows above the network in the editor. */
export const networkEditHeader = `### This is a YAML representation of the network.
### Any line starting with a '# will be ignored.
###
### A network consists of a set of configuration items.
###
### An example would look like:
### name: lxdbr0
### config:
###   ipv4.address: 10.62.42.1/24
###   ipv4.nat: true
###   ipv6.address: fd00:56ad:9f7a:9800::1/64
###   ipv6.nat: true
### managed: true
### type: bridge
###
### Note that only the configuration can be changed.

`

/** Reads api.NetworkPut from YAML (every scalar a string, as go-yaml decodes into string fields). */
async function parseNetworkPut(text: string): Promise<NetworkPut> {
  const doc = await parseYamlStrings(text)
  return {
    config: stringMap(doc.config),
    description: typeof doc.description === 'string' ? doc.description : '',
  }
}

/** `network edit [<remote>:]<network>`: stdin is PUT as is; on a terminal, $EDITOR with lxc's retry. */
export const networkEdit: CommandDefinition = editCommand({
  what: 'network',
  short: 'Edit network configurations as YAML',
  header: networkEditHeader,
  parse: parseNetworkPut,
  async load(client, name) {
    const { network, etag } = await client.networks.get(name)
    if (!network.managed) throw new Error(onlyManaged)
    return { shape: networkShape(network), etag }
  },
  put: (client, name, body, etag) => client.networks.put(name, body, etag),
})
