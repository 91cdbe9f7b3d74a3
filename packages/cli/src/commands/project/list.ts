/** @module `project list`: features, description and use count, marking the current project. */
import type { Project } from '@corral/api'
import type { CommandDefinition } from '../../command.js'
import { projectOf, type Context } from '../../context.js'
import { projectShape } from '../../render/shapes.js'
import { splitRemote } from '../../remotes/config.js'
import { listCommand } from '../list-command.js'

const yesNo = (p: Project, key: string): string => (p.config?.[key] === 'true' ? 'YES' : 'NO')

/** The project `project list` marks: the remote's configured one, not --project (as lxc does). */
async function currentProject(ctx: Context, remoteArg: string | undefined): Promise<string> {
  const config = await ctx.config()
  const remote = remoteArg
    ? splitRemote(config, remoteArg.includes(':') ? remoteArg : `${remoteArg}:`).remote
    : undefined
  return projectOf({ ...ctx.global, project: undefined }, config, remote ?? config['default-remote'])
}

/** `corral project list [<remote>:]`. */
export const projectList: CommandDefinition = listCommand({
  short: 'List projects',
  header: ['NAME', 'IMAGES', 'PROFILES', 'STORAGE VOLUMES', 'NETWORKS', 'DESCRIPTION', 'USED BY'],
  fetch: (client) => client.projects.list(),
  async rows(projects, ctx, remoteArg) {
    const current = await currentProject(ctx, remoteArg)
    return projects.map((p) => [
      p.name === current ? `${p.name} (current)` : p.name,
      yesNo(p, 'features.images'),
      yesNo(p, 'features.profiles'),
      yesNo(p, 'features.storage.volumes'),
      yesNo(p, 'features.networks'),
      p.description,
      String(p.used_by?.length ?? 0),
    ])
  },
  raw: (p) => projectShape(p),
})
