/** @module `project get|set|unset|edit`: a project's config keys and its YAML. */
import type { Project, ProjectPut } from '@corral/api'
import type { CommandDefinition } from '../../command.js'
import { projectShape } from '../../render/shapes.js'
import { parseYamlStrings, stringMap, target } from '../common.js'
import { editCommand } from '../edit-command.js'
import { keyValueCommands } from '../key-value-commands.js'

/** A project's config keys: `unset` sends the key empty, as lxc. */
const projectKeys = keyValueCommands<Project>({
  arg: 'project',
  noun: 'project',
  setUsage: '<key>=<value>...',
  setLong:
    'Set project configuration keys\n\nFor backward compatibility, a single configuration key may still be set with:\n    corral project set [<remote>:]<project> <key> <value>',
  unset: 'send-empty',
  resolve: (ctx, arg) => target(ctx, arg, 'project'),
  async load(client, name) {
    const { project, etag } = await client.projects.get(name)
    return { current: project, etag }
  },
  config: (project) => project.config,
  save: (client, name, project, config, etag) =>
    client.projects.put(name, { config, description: project.description }, etag),
})

/** `corral project get [<remote>:]<project> <key>`. */
export const projectGet = projectKeys.get
/** `corral project set [<remote>:]<project> <key>=<value>...`. */
export const projectSet = projectKeys.set
/** `corral project unset [<remote>:]<project> <key>`. */
export const projectUnset = projectKeys.unset

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
export const projectEdit: CommandDefinition = editCommand({
  what: 'project',
  short: 'Edit project configurations as YAML',
  examples:
    'corral project edit <project> < project.yaml\n    Update a project using the content of project.yaml',
  header,
  parse: parseProjectPut,
  async load(client, name) {
    const { project, etag } = await client.projects.get(name)
    return { shape: projectShape(project), etag }
  },
  put: (client, name, body, etag) => client.projects.put(name, body, etag),
})
