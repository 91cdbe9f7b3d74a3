/** @module `profile list`: NAME, DESCRIPTION, USED BY. */
import type { CommandDefinition } from '../../command.js'
import { profileShape } from '../../render/shapes.js'
import { listCommand } from '../list-command.js'

/** `corral profile list [<remote>:]`. */
export const profileList: CommandDefinition = listCommand({
  short: 'List profiles',
  header: ['NAME', 'DESCRIPTION', 'USED BY'],
  fetch: (client) => client.profiles.list(),
  rows: (profiles) => profiles.map((p) => [p.name, p.description, String(p.used_by?.length ?? 0)]),
  raw: (p) => profileShape(p),
})
