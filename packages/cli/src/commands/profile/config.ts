/** @module `profile get|set|unset|edit`: a profile's config keys and its YAML. */
import type { ProfilePut } from '@corral/api'
import { parseSetArgs, type CommandDefinition } from '../../command.js'
import { none, text } from '../../render/result.js'
import { profileShape } from '../../render/shapes.js'
import { toYaml } from '../../render/yaml.js'
import { deviceMap, editFlow, parseYamlStrings, stringMap, target } from '../common.js'

/** `corral profile get [<remote>:]<profile> <key>`. */
export const profileGet: CommandDefinition = {
  names: ['get'],
  usage: '[<remote>:]<profile> <key>',
  short: 'Get values for profile configuration keys',
  args: { min: 2, max: 2 },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'profile')
    const { profile } = await client.profiles.get(name)
    return text(`${profile.config[args[1]!] ?? ''}\n`)
  },
}

/** `corral profile set [<remote>:]<profile> <key>=<value>...`. */
export const profileSet: CommandDefinition = {
  names: ['set'],
  usage: '[<remote>:]<profile> <key><value>...',
  short: 'Set profile configuration keys',
  long: 'Set profile configuration keys\n\nFor backward compatibility, a single configuration key may still be set with:\n    corral profile set [<remote>:]<profile> <key> <value>',
  args: { min: 2, max: Infinity },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'profile')
    const values = parseSetArgs(args.slice(1))
    const { profile, etag } = await client.profiles.get(name)
    const config = { ...profile.config, ...values }
    await client.profiles.put(
      name,
      { config, description: profile.description, devices: profile.devices },
      etag,
    )
    return none()
  },
}

/** `corral profile unset [<remote>:]<profile> <key>`. */
export const profileUnset: CommandDefinition = {
  names: ['unset'],
  usage: '[<remote>:]<profile> <key>',
  short: 'Unset profile configuration keys',
  args: { min: 2, max: 2 },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'profile')
    const key = args[1]!
    const { profile, etag } = await client.profiles.get(name)
    if (!(key in profile.config)) throw new Error(`Unknown configuration key: ${key}`)
    const config = { ...profile.config }
    delete config[key]
    await client.profiles.put(
      name,
      { config, description: profile.description, devices: profile.devices },
      etag,
    )
    return none()
  },
}

const header = `### This is a YAML representation of the profile.
### Any line starting with a '# will be ignored.
###
### A profile consists of a set of configuration items followed by a set of
### devices.
###
### An example would look like:
### name: onenic
### config:
###   raw.lxc: lxc.aa_profile=unconfined
### devices:
###   eth0:
###     nictype: bridged
###     parent: lxdbr0
###     type: nic
###
### Note that the name is shown but cannot be changed

`

/** Reads a ProfilePut from YAML text. */
export async function parseProfilePut(yamlText: string): Promise<ProfilePut> {
  const doc = await parseYamlStrings(yamlText)
  return {
    config: stringMap(doc.config),
    description: typeof doc.description === 'string' ? doc.description : '',
    devices: deviceMap(doc.devices),
  }
}

/** `corral profile edit [<remote>:]<profile>`. */
export const profileEdit: CommandDefinition = {
  names: ['edit'],
  usage: '[<remote>:]<profile>',
  short: 'Edit profile configurations as YAML',
  examples:
    'corral profile edit <profile> < profile.yaml\n    Update a profile using the content of profile.yaml',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'profile')
    if (!ctx.stdinIsTTY) {
      await client.profiles.put(name, await parseProfilePut(await ctx.readStdin()))
      return none()
    }
    const { profile, etag } = await client.profiles.get(name)
    await editFlow(ctx, {
      header,
      current: toYaml(profileShape(profile)),
      apply: async (edited) => client.profiles.put(name, await parseProfilePut(edited), etag),
    })
    return none()
  },
}
