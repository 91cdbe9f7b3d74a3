/** @module `project get|set|unset|edit`: a project's config keys and its YAML. */
import type { ProjectPut } from '@corral/api'
import { parseSetArgs, type CommandDefinition } from '../../command.js'
import { none, text } from '../../render/result.js'
import { projectShape } from '../../render/shapes.js'
import { toYaml } from '../../render/yaml.js'
import { editFlow, parseYamlStrings, stringMap, target } from '../common.js'

/** `corral project get [<remote>:]<project> <key>`. */
export const projectGet: CommandDefinition = {
  names: ['get'],
  usage: '[<remote>:]<project> <key>',
  short: 'Get values for project configuration keys',
  args: { min: 2, max: 2 },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'project')
    const { project } = await client.projects.get(name)
    return text(`${project.config[args[1]!] ?? ''}\n`)
  },
}

/** `corral project set [<remote>:]<project> <key>=<value>...`. */
export const projectSet: CommandDefinition = {
  names: ['set'],
  usage: '[<remote>:]<project> <key>=<value>...',
  short: 'Set project configuration keys',
  long: 'Set project configuration keys\n\nFor backward compatibility, a single configuration key may still be set with:\n    corral project set [<remote>:]<project> <key> <value>',
  args: { min: 2, max: Infinity },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'project')
    const values = parseSetArgs(args.slice(1))
    const { project, etag } = await client.projects.get(name)
    await client.projects.put(
      name,
      { config: { ...project.config, ...values }, description: project.description },
      etag,
    )
    return none()
  },
}

/** `corral project unset [<remote>:]<project> <key>`. */
export const projectUnset: CommandDefinition = {
  names: ['unset'],
  usage: '[<remote>:]<project> <key>',
  short: 'Unset project configuration keys',
  args: { min: 2, max: 2 },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'project')
    const { project, etag } = await client.projects.get(name)
    // As lxc: the key is sent empty and the server drops it (and rejects unknown keys).
    const config = { ...project.config, [args[1]!]: '' }
    await client.projects.put(name, { config, description: project.description }, etag)
    return none()
  },
}

const header = `### This is a YAML representation of the project.
### Any line starting with a '# will be ignored.
###
### A project consists of a set of features and a description.
###
### An example would look like:
### name: my-project
### features:
###   images: True
###   profiles: True
### description: My own project
###
### Note that the name is shown but cannot be changed

`

/** Reads a ProjectPut from YAML text. */
export async function parseProjectPut(yamlText: string): Promise<ProjectPut> {
  const doc = await parseYamlStrings(yamlText)
  return {
    config: stringMap(doc.config),
    description: typeof doc.description === 'string' ? doc.description : '',
  }
}

/** `corral project edit [<remote>:]<project>`. */
export const projectEdit: CommandDefinition = {
  names: ['edit'],
  usage: '[<remote>:]<project>',
  short: 'Edit project configurations as YAML',
  examples:
    'corral project edit <project> < project.yaml\n    Update a project using the content of project.yaml',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { client, name } = await target(ctx, args[0]!, 'project')
    if (!ctx.stdinIsTTY) {
      await client.projects.put(name, await parseProjectPut(await ctx.readStdin()))
      return none()
    }
    const { project, etag } = await client.projects.get(name)
    await editFlow(ctx, {
      header,
      current: toYaml(projectShape(project)),
      apply: async (edited) => client.projects.put(name, await parseProjectPut(edited), etag),
    })
    return none()
  },
}
