/** @module `corral info`: the server's GET /1.0 as YAML, warning when past its support end. */
import type { CommandDefinition } from '../command.js'
import { serverShape } from '../render/shapes.js'
import type { Result } from '../render/result.js'
import { remoteClient } from './common.js'
import { instanceRef } from './instance/common.js'
import { instanceInfoText } from './instance/info.js'

/** `corral info [<remote>:][<instance>]`. */
export const info: CommandDefinition = {
  names: ['info'],
  usage: '[<remote>:][<instance>]',
  short: 'Show instance or server information',
  examples:
    'corral info [<remote>:]<instance> [--show-log]\n    For instance information.\n\ncorral info [<remote>:] [--resources]\n    For server information.',
  args: { min: 0, max: 1 },
  flags: [
    { long: 'resources', type: 'boolean', description: 'Show the resources available to the server' },
    { long: 'show-log', type: 'boolean', description: "Show the instance's last 100 log lines?" },
    { long: 'target', type: 'string', description: 'Cluster member name' },
  ],
  async run(ctx, args, flags): Promise<Result> {
    if (args[0] !== undefined && !args[0].endsWith(':')) {
      const { client, name } = await instanceRef(ctx, args[0])
      let out = instanceInfoText(await client.instances.getFull(name))
      if (flags['show-log']) out += `\nLog:\n\n${await client.instances.logFile(name, 'lxc.log')}\n`
      return { kind: 'text', text: out }
    }
    if (flags.resources) throw new Error('Server resources are not supported yet')
    const client = await remoteClient(ctx, args[0])
    const { server } = await client.server.get()
    const warnings: string[] = []
    const env = server.environment
    const end = env?.server_support_end
    if (end && ctx.now().getTime() > supportEndTime(end))
      warnings.push(
        `WARNING: server version ${env.server_version} reached its end of support on ${end}; upgrade to a supported release`,
      )
    return { kind: 'yaml', value: serverShape(server), warnings }
  },
}

/** The instant support ends: the end of the given day (UTC) for a bare date, else the timestamp. */
export function supportEndTime(end: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(end) ? Date.parse(`${end}T23:59:59Z`) : Date.parse(end)
}
