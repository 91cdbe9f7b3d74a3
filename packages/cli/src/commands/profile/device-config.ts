/** @module `profile device get|set|unset`: one device's keys. */
import type { Profile } from '@corral/api'
import { parseSetArgs, type CommandDefinition } from '../../command.js'
import { none, text } from '../../render/result.js'
import { target } from '../common.js'

function deviceOf(profile: Profile, device: string): Record<string, string> {
  const d = profile.devices?.[device]
  if (!d) throw new Error("Device doesn't exist")
  return d
}

/** `corral profile device get [<remote>:]<profile> <device> <key>`. */
export const profileDeviceGet: CommandDefinition = {
  names: ['get'],
  usage: '[<remote>:]<profile> <device> <key>',
  short: 'Get values for device configuration keys',
  args: { min: 3, max: 3 },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'profile')
    const { profile } = await client.profiles.get(name)
    return text(`${deviceOf(profile, args[1]!)[args[2]!] ?? ''}\n`)
  },
}

async function updateDevice(
  ctx: Parameters<CommandDefinition['run']>[0],
  args: string[],
  values: Record<string, string>,
): Promise<void> {
  const { client, name } = await target(ctx, args[0]!, 'profile')
  const { profile, etag } = await client.profiles.get(name)
  const device = { ...deviceOf(profile, args[1]!), ...values }
  const devices = { ...profile.devices, [args[1]!]: device }
  await client.profiles.put(name, { config: profile.config, description: profile.description, devices }, etag)
}

/** `corral profile device set [<remote>:]<profile> <device> <key>=<value>...`. */
export const profileDeviceSet: CommandDefinition = {
  names: ['set'],
  usage: '[<remote>:]<profile> <device> <key>=<value>...',
  short: 'Set device configuration keys',
  long: 'Set device configuration keys\n\nFor backward compatibility, a single configuration key may still be set with:\n    corral profile device set [<remote>:]<profile> <device> <key> <value>',
  args: { min: 3, max: Infinity },
  async run(ctx, args) {
    await updateDevice(ctx, args, parseSetArgs(args.slice(2)))
    return none()
  },
}

/** `corral profile device unset [<remote>:]<profile> <device> <key>`: sends the key empty, as lxc. */
export const profileDeviceUnset: CommandDefinition = {
  names: ['unset'],
  usage: '[<remote>:]<profile> <device> <key>',
  short: 'Unset device configuration keys',
  args: { min: 3, max: 3 },
  async run(ctx, args) {
    await updateDevice(ctx, args, { [args[2]!]: '' })
    return none()
  },
}
