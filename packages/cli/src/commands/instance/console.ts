/** @module `corral console <instance> --show-log`: the console log (the interactive console is not supported). */
import type { CommandDefinition } from '../../command.js'
import { text } from '../../render/result.js'
import { instanceCommand } from './common.js'

/** `corral console [<remote>:]<instance> --show-log`. */
export const instanceConsole: CommandDefinition = instanceCommand({
  names: ['console'],
  usage: '[<remote>:]<instance>',
  short: 'Attach to instance consoles',
  args: { min: 1, max: 1 },
  flags: [
    { long: 'show-log', type: 'boolean', description: "Retrieve the instance's console log" },
    {
      long: 'type',
      short: 't',
      type: 'string',
      default: 'console',
      description:
        "Type of connection to establish: 'console' for serial console, 'vga' for SPICE graphical output",
    },
  ],
  async run(client, name, _args, _ctx, flags) {
    if (!flags['show-log']) throw new Error('The interactive console is not supported yet: use --show-log')
    return text(`\nConsole log:\n\n${await client.instances.consoleLog(name)}\n`)
  },
})
