/** @module `corral config device add|get|set|unset|remove|override|show|list` for an instance. */
import type { Instance } from '@corral/api'
import type { CommandDefinition, CommandGroup } from '../../command.js'
import { text } from '../../render/result.js'
import { instanceCommand, instanceRef } from './common.js'
import { parseDeviceProps } from '../device-common.js'
import { deviceCommands, type DeviceHost } from '../device-commands.js'
import { putOf, updateInstance } from './config.js'

/** An instance as the owner of devices: `get` also sees profile devices, `unset` deletes the key. */
const instanceDevices: DeviceHost<Instance> = {
  kind: 'instance',
  command: 'corral config device',
  resolve: instanceRef,
  async load(client, name) {
    const { instance, etag } = await client.instances.get(name)
    return { current: instance, etag }
  },
  save: (client, name, current, devices, etag) =>
    client.instances.put(name, { ...putOf(current), devices }, etag),
  own: (current) => current.devices ?? {},
  inherited: (current) => current.expanded_devices,
  unsetSendsEmpty: false,
  parseBeforeResolve: false,
}

const commands = deviceCommands(instanceDevices)

/** `config device add <instance> <device> <type> [key=value...]`. */
export const deviceAdd = commands.add
/** `config device get <instance> <device> <key>`: local devices first, then profile ones. */
export const deviceGet = commands.get
/** `config device set <instance> <device> <key>=<value>...`. */
export const deviceSet = commands.set
/** `config device unset <instance> <device> <key>`. */
export const deviceUnset = commands.unset
/** `config device remove <instance> <name>...`. */
export const deviceRemove = commands.remove
/** `config device show <instance>`: the instance's own devices. */
export const deviceShow = commands.show
/** `config device list <instance>`. */
export const deviceList = commands.list

/** `config device override <instance> <device> [key=value...]`: copies a profile device into the instance. */
export const deviceOverride: CommandDefinition = instanceCommand({
  names: ['override'],
  usage: '[<remote>:]<instance> <device> [key=value...]',
  short: 'Copy profile inherited devices and override configuration keys',
  args: { min: 2, max: Infinity },
  async run(client, name, args) {
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
})

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
