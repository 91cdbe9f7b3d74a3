/** @module `corral config device add|get|set|unset|remove|override|show|list` for an instance. */
import type { Instance } from '@corral/api'
import { parseSetArgs, type CommandDefinition, type CommandGroup } from '../../command.js'
import { none, text, yaml } from '../../render/result.js'
import { instanceRef } from './common.js'
import { deviceNamesText, parseDeviceProps, removedText } from '../device-common.js'
import { updateInstance } from './config.js'

const profileOnly =
  'Device from profile(s) cannot be modified for individual instance. Override device or modify profile instead'

function localDevice(inst: Instance, device: string): Record<string, string> {
  const d = inst.devices?.[device]
  if (d) return d
  if (inst.expanded_devices?.[device]) throw new Error(profileOnly)
  throw new Error("Device doesn't exist")
}

/** `config device add <instance> <device> <type> [key=value...]`. */
export const deviceAdd: CommandDefinition = {
  names: ['add'],
  usage: '[<remote>:]<instance> <device> <type> [key=value...]',
  short: 'Add instance devices',
  examples: `corral config device add [<remote>:]instance1 <device-name> disk source=/share/c1 path=/opt
    Will mount the host's /share/c1 onto /opt in the instance.`,
  args: { min: 3, max: Infinity },
  async run(ctx, args) {
    const { client, name } = await instanceRef(ctx, args[0]!)
    const device = args[1]!
    const props = { type: args[2]!, ...parseDeviceProps(args.slice(3)) }
    await updateInstance(client, name, (put) => {
      if (device in put.devices) throw new Error('The device already exists')
      put.devices[device] = props
    })
    return text(`Device ${device} added to ${name}\n`)
  },
}

/** `config device get <instance> <device> <key>`: local devices first, then profile ones. */
export const deviceGet: CommandDefinition = {
  names: ['get'],
  usage: '[<remote>:]<instance> <device> <key>',
  short: 'Get values for device configuration keys',
  args: { min: 3, max: 3 },
  async run(ctx, args) {
    const { client, name } = await instanceRef(ctx, args[0]!)
    const { instance } = await client.instances.get(name)
    const d = instance.devices?.[args[1]!] ?? instance.expanded_devices?.[args[1]!]
    if (!d) throw new Error("Device doesn't exist")
    return text(`${d[args[2]!] ?? ''}\n`)
  },
}

/** `config device set <instance> <device> <key>=<value>...`. */
export const deviceSet: CommandDefinition = {
  names: ['set'],
  usage: '[<remote>:]<instance> <device> <key>=<value>...',
  short: 'Set device configuration keys',
  long: 'Set device configuration keys\n\nFor backward compatibility, a single configuration key may still be set with:\n    corral config device set [<remote>:]<instance> <device> <key> <value>',
  args: { min: 3, max: Infinity },
  async run(ctx, args) {
    const { client, name } = await instanceRef(ctx, args[0]!)
    const values = parseSetArgs(args.slice(2))
    await updateInstance(client, name, (put, current) => {
      put.devices[args[1]!] = { ...localDevice(current, args[1]!), ...values }
    })
    return none()
  },
}

/** `config device unset <instance> <device> <key>`. */
export const deviceUnset: CommandDefinition = {
  names: ['unset'],
  usage: '[<remote>:]<instance> <device> <key>',
  short: 'Unset device configuration keys',
  args: { min: 3, max: 3 },
  async run(ctx, args) {
    const { client, name } = await instanceRef(ctx, args[0]!)
    await updateInstance(client, name, (put, current) => {
      const d = { ...localDevice(current, args[1]!) }
      delete d[args[2]!]
      put.devices[args[1]!] = d
    })
    return none()
  },
}

/** `config device remove <instance> <name>...`. */
export const deviceRemove: CommandDefinition = {
  names: ['remove', 'rm'],
  usage: '[<remote>:]<instance> <name>...',
  short: 'Remove instance devices',
  args: { min: 2, max: Infinity },
  async run(ctx, args) {
    const { client, name } = await instanceRef(ctx, args[0]!)
    await updateInstance(client, name, (put, current) => {
      for (const device of args.slice(1)) {
        if (!(device in put.devices)) {
          if (current.expanded_devices?.[device])
            throw new Error(
              'Device from profile(s) cannot be removed from individual instance. Override device or modify profile instead',
            )
          throw new Error("Device doesn't exist")
        }
        delete put.devices[device]
      }
    })
    return text(removedText(args.slice(1), name))
  },
}

/** `config device override <instance> <device> [key=value...]`: copies a profile device into the instance. */
export const deviceOverride: CommandDefinition = {
  names: ['override'],
  usage: '[<remote>:]<instance> <device> [key=value...]',
  short: 'Copy profile inherited devices and override configuration keys',
  args: { min: 2, max: Infinity },
  async run(ctx, args) {
    const { client, name } = await instanceRef(ctx, args[0]!)
    const device = args[1]!
    const props = parseDeviceProps(args.slice(2))
    await updateInstance(client, name, (put, current) => {
      if (device in put.devices) throw new Error('The device already exists')
      const base = current.expanded_devices?.[device]
      if (!base) throw new Error("The profile device doesn't exist")
      put.devices[device] = { ...base, ...props }
    })
    return text(`Device ${device} overridden for ${name}\n`)
  },
}

/** `config device show <instance>`: the instance's own devices. */
export const deviceShow: CommandDefinition = {
  names: ['show'],
  usage: '[<remote>:]<instance>',
  short: 'Show full device configuration',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { client, name } = await instanceRef(ctx, args[0]!)
    const { instance } = await client.instances.get(name)
    return yaml(instance.devices ?? {})
  },
}

/** `config device list <instance>`. */
export const deviceList: CommandDefinition = {
  names: ['list', 'ls'],
  usage: '[<remote>:]<instance>',
  short: 'List instance devices',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { client, name } = await instanceRef(ctx, args[0]!)
    const { instance } = await client.instances.get(name)
    return text(deviceNamesText(instance.devices))
  },
}

/** `corral config device`. */
export const configDevice: CommandGroup = {
  names: ['device'],
  short: 'Manage devices',
  subcommands: [
    deviceAdd,
    deviceGet,
    deviceList,
    deviceOverride,
    deviceRemove,
    deviceSet,
    deviceShow,
    deviceUnset,
  ],
}
