/** @module `corral profile add|assign|remove <instance> ...`: which profiles an instance uses. */
import type { CommandDefinition } from '../../command.js'
import { text } from '../../render/result.js'
import { instanceCommand } from './common.js'
import { updateInstance } from './config.js'

/** `corral profile add [<remote>:]<instance> <profile>`. */
export const profileAdd: CommandDefinition = instanceCommand({
  names: ['add'],
  usage: '[<remote>:]<instance> <profile>',
  short: 'Add profiles to instances',
  args: { min: 2, max: 2 },
  async run(client, name, args) {
    await updateInstance(client, name, (put) => void put.profiles.push(args[1]!))
    return text(`Profile ${args[1]!} added to ${name}\n`)
  },
})

/** `corral profile assign [<remote>:]<instance> <profiles>`: a comma-separated list, or "" for none. */
export const profileAssign: CommandDefinition = instanceCommand({
  names: ['assign', 'apply'],
  usage: '[<remote>:]<instance> <profiles>',
  short: 'Assign sets of profiles to instances',
  examples:
    'corral profile assign foo default,bar\n    Set the profiles for "foo" to "default" and "bar".\n\ncorral profile assign foo default\n    Reset "foo" to only using the "default" profile.\n\ncorral profile assign foo \'\'\n    Remove all profile from "foo"',
  args: { min: 2, max: 2 },
  async run(client, name, args) {
    const profiles = args[1] === '' ? [] : args[1]!.split(',')
    await updateInstance(client, name, (put) => (put.profiles = profiles))
    return text(
      profiles.length === 0 ? `Profiles removed from ${name}\n` : `Profiles ${args[1]!} applied to ${name}\n`,
    )
  },
})

/** `corral profile remove [<remote>:]<instance> <profile>`. */
export const profileRemove: CommandDefinition = instanceCommand({
  names: ['remove'],
  usage: '[<remote>:]<instance> <profile>',
  short: 'Remove profiles from instances',
  args: { min: 2, max: 2 },
  async run(client, name, args) {
    const profile = args[1]!
    await updateInstance(client, name, (put) => {
      if (!put.profiles.includes(profile))
        throw new Error(`Profile ${profile} isn't currently applied to ${name}`)
      put.profiles = put.profiles.filter((p) => p !== profile)
    })
    return text(`Profile ${profile} removed from ${name}\n`)
  },
})
