/** @module `profile device add|remove|show|list`: a profile's devices. */
import type { CommandDefinition, CommandGroup } from '../../command.js'
import { text, yaml } from '../../render/result.js'
import { target } from '../common.js'
import { deviceNamesText, parseDeviceProps, removedText } from '../device-common.js'
import { profileDeviceGet, profileDeviceSet, profileDeviceUnset } from './device-config.js'

/** `corral profile device add [<remote>:]<profile> <device> <type> [key=value...]`. */
export const profileDeviceAdd: CommandDefinition = {
  names: ['add'],
  usage: '[<remote>:]<profile> <device> <type> [key=value...]',
  short: 'Add instance devices',
  examples: `corral profile device add [<remote>:]profile1 <device-name> disk source=/share/c1 path=/opt
    Will mount the host's /share/c1 onto /opt in the instance.`,
  args: { min: 3, max: Infinity },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'profile')
    const device = args[1]!
    const props = { type: args[2]!, ...parseDeviceProps(args.slice(3)) }
    const { profile, etag } = await client.profiles.get(name)
    if (device in profile.devices) throw new Error('The device already exists')
    const devices = { ...profile.devices, [device]: props }
    await client.profiles.put(
      name,
      { config: profile.config, description: profile.description, devices },
      etag,
    )
    return text(`Device ${device} added to ${name}\n`)
  },
}

/** `corral profile device remove [<remote>:]<profile> <name>...`. */
export const profileDeviceRemove: CommandDefinition = {
  names: ['remove', 'rm'],
  usage: '[<remote>:]<profile> <name>...',
  short: 'Remove instance devices',
  args: { min: 2, max: Infinity },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'profile')
    const { profile, etag } = await client.profiles.get(name)
    const devices = { ...profile.devices }
    for (const device of args.slice(1)) {
      if (!(device in devices)) throw new Error("Device doesn't exist")
      delete devices[device]
    }
    await client.profiles.put(
      name,
      { config: profile.config, description: profile.description, devices },
      etag,
    )
    return text(removedText(args.slice(1), name))
  },
}

/** `corral profile device show [<remote>:]<profile>`. */
export const profileDeviceShow: CommandDefinition = {
  names: ['show'],
  usage: '[<remote>:]<profile>',
  short: 'Show full device configuration',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'profile')
    const { profile } = await client.profiles.get(name)
    return yaml(profile.devices ?? {})
  },
}

/** `corral profile device list [<remote>:]<profile>`. */
export const profileDeviceList: CommandDefinition = {
  names: ['list', 'ls'],
  usage: '[<remote>:]<profile>',
  short: 'List instance devices',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'profile')
    const { profile } = await client.profiles.get(name)
    return text(deviceNamesText(profile.devices))
  },
}

/** `corral profile device`. */
export const profileDevice: CommandGroup = {
  names: ['device'],
  short: 'Manage devices',
  subcommands: [
    profileDeviceAdd,
    profileDeviceGet,
    profileDeviceList,
    profileDeviceRemove,
    profileDeviceSet,
    profileDeviceShow,
    profileDeviceUnset,
  ],
}
