/** @module `project create|delete|rename|show|switch`. */
import { parseKeyValues, type CommandDefinition } from '../../command.js'
import { none, text } from '../../render/result.js'
import { projectShape } from '../../render/shapes.js'
import { splitRemote } from '../../remotes/config.js'
import { target } from '../common.js'
import { deleteCommand, renameCommand, showCommand } from '../named-commands.js'

const projectNamed = { what: 'project', arg: 'project', label: 'Project' }

/** `corral project create [<remote>:]<project> [-c key=value]...`. */
export const projectCreate: CommandDefinition = {
  names: ['create'],
  usage: '[<remote>:]<project>',
  short: 'Create projects',
  args: { min: 1, max: 1 },
  flags: [
    {
      long: 'config',
      short: 'c',
      type: 'strings',
      description: 'Config key/value to apply to the new project',
    },
  ],
  async run(ctx, args, flags) {
    const { client, name } = await target(ctx, args[0]!, 'project')
    const config = parseKeyValues(Array.isArray(flags.config) ? flags.config : [])
    await client.projects.create({ name, config, description: '' })
    return text(`Project ${name} created\n`)
  },
}

/** `corral project delete [<remote>:]<project>`. */
export const projectDelete: CommandDefinition = deleteCommand({
  ...projectNamed,
  short: 'Delete projects',
  remove: (client, name) => client.projects.delete(name),
})

/** `corral project rename [<remote>:]<project> <new-name>`. */
export const projectRename: CommandDefinition = renameCommand({
  ...projectNamed,
  short: 'Rename projects',
  rename: (client, name, newName) => client.projects.rename(name, newName),
})

/** `corral project show [<remote>:]<project>`. */
export const projectShow: CommandDefinition = showCommand({
  ...projectNamed,
  short: 'Show project options',
  shape: async (client, name) => projectShape((await client.projects.get(name)).project),
})

/** `corral project switch [<remote>:]<project>`: records the project in config.yml. */
export const projectSwitch: CommandDefinition = {
  names: ['switch'],
  usage: '[<remote>:]<project>',
  short: 'Switch the current project',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const config = await ctx.config()
    const { remote, name } = splitRemote(config, args[0]!)
    if (name === '') throw new Error('Missing project name')
    const client = await ctx.client(remote)
    await client.projects.get(name)
    const remotes = { ...config.remotes, [remote]: { ...config.remotes[remote]!, project: name } }
    await ctx.saveConfig({ ...config, remotes })
    return none()
  },
}
