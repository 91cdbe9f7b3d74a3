/** @module `profile get|set|unset|edit`: a profile's config keys and its YAML. */
import type { Profile, ProfilePut } from '@corral/api'
import type { CommandDefinition } from '../../command.js'
import { profileShape } from '../../render/shapes.js'
import { deviceMap, parseYamlStrings, stringMap, target } from '../common.js'
import { editCommand } from '../edit-command.js'
import { keyValueCommands } from '../key-value-commands.js'

/** A profile's config keys: `unset` refuses a key it does not have. */
const profileKeys = keyValueCommands<Profile>({
  arg: 'profile',
  noun: 'profile',
  setUsage: '<key><value>...',
  setLong:
    'Set profile configuration keys\n\nFor backward compatibility, a single configuration key may still be set with:\n    corral profile set [<remote>:]<profile> <key> <value>',
  unset: 'delete-known',
  resolve: (ctx, arg) => target(ctx, arg, 'profile'),
  async load(client, name) {
    const { profile, etag } = await client.profiles.get(name)
    return { current: profile, etag }
  },
  config: (profile) => profile.config,
  save: (client, name, profile, config, etag) =>
    client.profiles.put(name, { config, description: profile.description, devices: profile.devices }, etag),
})

/** `corral profile get [<remote>:]<profile> <key>`. */
export const profileGet = profileKeys.get
/** `corral profile set [<remote>:]<profile> <key>=<value>...`. */
export const profileSet = profileKeys.set
/** `corral profile unset [<remote>:]<profile> <key>`. */
export const profileUnset = profileKeys.unset

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
export const profileEdit: CommandDefinition = editCommand({
  what: 'profile',
  short: 'Edit profile configurations as YAML',
  examples:
    'corral profile edit <profile> < profile.yaml\n    Update a profile using the content of profile.yaml',
  header,
  parse: parseProfilePut,
  async load(client, name) {
    const { profile, etag } = await client.profiles.get(name)
    return { shape: profileShape(profile), etag }
  },
  put: (client, name, body, etag) => client.profiles.put(name, body, etag),
})
