/** @module `profile device add|get|set|unset|remove|show|list`: a profile's devices. */
import type { Profile } from '@corral/api'
import type { CommandGroup } from '../../command.js'
import { target } from '../common.js'
import { deviceCommands, type DeviceHost } from '../device-commands.js'

/** A profile as the owner of devices: no inherited devices, `unset` sends the key empty. */
const profileDevices: DeviceHost<Profile> = {
  kind: 'profile',
  command: 'corral profile device',
  resolve: (ctx, arg) => target(ctx, arg, 'profile'),
  async load(client, name) {
    const { profile, etag } = await client.profiles.get(name)
    return { current: profile, etag }
  },
  save: (client, name, current, devices, etag) =>
    client.profiles.put(name, { config: current.config, description: current.description, devices }, etag),
  own: (current) => current.devices ?? {},
  inherited: () => undefined,
  unsetSendsEmpty: true,
  parseBeforeResolve: true,
}

const commands = deviceCommands(profileDevices)

/** `corral profile device add [<remote>:]<profile> <device> <type> [key=value...]`. */
export const profileDeviceAdd = commands.add
/** `corral profile device get [<remote>:]<profile> <device> <key>`. */
export const profileDeviceGet = commands.get
/** `corral profile device set [<remote>:]<profile> <device> <key>=<value>...`. */
export const profileDeviceSet = commands.set
/** `corral profile device unset [<remote>:]<profile> <device> <key>`: sends the key empty, as lxc. */
export const profileDeviceUnset = commands.unset
/** `corral profile device remove [<remote>:]<profile> <name>...`. */
export const profileDeviceRemove = commands.remove
/** `corral profile device show [<remote>:]<profile>`. */
export const profileDeviceShow = commands.show
/** `corral profile device list [<remote>:]<profile>`. */
export const profileDeviceList = commands.list

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
