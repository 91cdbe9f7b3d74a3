/** @module `profile list`: NAME, DESCRIPTION, USED BY. */
import type { CommandDefinition } from '../../command.js'
import { list } from '../../render/result.js'
import { profileShape } from '../../render/shapes.js'
import { formatFlag, formatOf, remoteClient } from '../common.js'

/** `corral profile list [<remote>:]`. */
export const profileList: CommandDefinition = {
  names: ['list', 'ls'],
  usage: '[<remote>:]',
  short: 'List profiles',
  args: { min: 0, max: 1 },
  flags: [formatFlag],
  async run(ctx, args, flags) {
    const format = formatOf(flags)
    const client = await remoteClient(ctx, args[0])
    const profiles = await client.profiles.list()
    const rows = profiles.map((p) => [p.name, p.description, String(p.used_by?.length ?? 0)])
    return list({ header: ['NAME', 'DESCRIPTION', 'USED BY'], rows, raw: profiles.map(profileShape) }, format)
  },
}
