/** @module `project list`: features, description and use count, marking the current project. */
import type { Project } from '@corral/api'
import type { CommandDefinition } from '../../command.js'
import { projectOf } from '../../context.js'
import { list } from '../../render/result.js'
import { projectShape } from '../../render/shapes.js'
import { splitRemote } from '../../remotes/config.js'
import { formatFlag, formatOf, remoteClient } from '../common.js'

const yesNo = (p: Project, key: string): string => (p.config?.[key] === 'true' ? 'YES' : 'NO')

/** `corral project list [<remote>:]`. */
export const projectList: CommandDefinition = {
  names: ['list', 'ls'],
  usage: '[<remote>:]',
  short: 'List projects',
  args: { min: 0, max: 1 },
  flags: [formatFlag],
  async run(ctx, args, flags) {
    const format = formatOf(flags)
    const config = await ctx.config()
    const remote = args[0]
      ? splitRemote(config, args[0].includes(':') ? args[0] : `${args[0]}:`).remote
      : undefined
    const client = await remoteClient(ctx, args[0])
    // The marker follows the remote's configured project, not --project (as lxc does).
    const current = projectOf(
      { ...ctx.global, project: undefined },
      config,
      remote ?? config['default-remote'],
    )
    const projects = await client.projects.list()
    const rows = projects.map((p) => [
      p.name === current ? `${p.name} (current)` : p.name,
      yesNo(p, 'features.images'),
      yesNo(p, 'features.profiles'),
      yesNo(p, 'features.storage.volumes'),
      yesNo(p, 'features.networks'),
      p.description,
      String(p.used_by?.length ?? 0),
    ])
    const header = ['NAME', 'IMAGES', 'PROFILES', 'STORAGE VOLUMES', 'NETWORKS', 'DESCRIPTION', 'USED BY']
    return list({ header, rows, raw: projects.map(projectShape) }, format)
  },
}
