/** @module `corral version`: client and server versions. */
import type { CommandDefinition } from '../command.js'
import { text } from '../render/result.js'
import { clientVersion } from '../version.js'
import { remoteClient } from './common.js'

/** `corral version [<remote>:]`. */
export const version: CommandDefinition = {
  names: ['version'],
  usage: '[<remote>:]',
  short: 'Show local and remote versions',
  args: { min: 0, max: 1 },
  async run(ctx, args) {
    let server = 'unreachable'
    try {
      const client = await remoteClient(ctx, args[0])
      server = (await client.server.get()).server.environment?.server_version ?? 'unreachable'
    } catch {
      // lxc prints "unreachable" for any failure to reach the server
    }
    return text(`Client version: ${clientVersion}\nServer version: ${server}\n`)
  },
}
