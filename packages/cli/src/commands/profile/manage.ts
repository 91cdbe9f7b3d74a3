/** @module `profile create|copy|rename|delete|show`. */
import type { CommandDefinition } from '../../command.js'
import { none, text } from '../../render/result.js'
import { profileShape } from '../../render/shapes.js'
import { splitRemote } from '../../remotes/config.js'
import { target } from '../common.js'
import { deleteCommand, renameCommand, showCommand } from '../named-commands.js'

const profileNamed = { what: 'profile', arg: 'profile', label: 'Profile' }

/** `corral profile create [<remote>:]<profile>`. */
export const profileCreate: CommandDefinition = {
  names: ['create'],
  usage: '[<remote>:]<profile>',
  short: 'Create profiles',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'profile')
    await client.profiles.create({ name, config: {}, description: '', devices: {} })
    return text(`Profile ${name} created\n`)
  },
}

/** `corral profile copy [<remote>:]<profile> [<remote>:]<profile>`. */
export const profileCopy: CommandDefinition = {
  names: ['copy', 'cp'],
  usage: '[<remote>:]<profile> [<remote>:]<profile>',
  short: 'Copy profiles',
  args: { min: 2, max: 2 },
  flags: [
    { long: 'target-project', type: 'string', description: 'Copy to a project different from the source' },
  ],
  async run(ctx, args, flags) {
    const source = await target(ctx, args[0]!, 'profile')
    const dest = splitRemote(await ctx.config(), args[1]!)
    if (dest.name === '') throw new Error('Missing profile name')
    let client = await ctx.client(dest.remote)
    if (typeof flags['target-project'] === 'string') client = client.withProject(flags['target-project'])
    const { profile } = await source.client.profiles.get(source.name)
    await client.profiles.create({
      name: dest.name,
      config: profile.config,
      description: profile.description,
      devices: profile.devices,
    })
    return none()
  },
}

/** `corral profile rename [<remote>:]<profile> <new-name>`. */
export const profileRename: CommandDefinition = renameCommand({
  ...profileNamed,
  short: 'Rename profiles',
  rename: (client, name, newName) => client.profiles.rename(name, newName),
})

/** `corral profile delete [<remote>:]<profile>`. */
export const profileDelete: CommandDefinition = deleteCommand({
  ...profileNamed,
  short: 'Delete profiles',
  remove: (client, name) => client.profiles.delete(name),
})

/** `corral profile show [<remote>:]<profile>`. */
export const profileShow: CommandDefinition = showCommand({
  ...profileNamed,
  short: 'Show profile configurations',
  shape: async (client, name) => profileShape((await client.profiles.get(name)).profile),
})
