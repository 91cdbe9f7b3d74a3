/** @module `corral start|stop|restart|pause`: PUT /1.0/instances/{name}/state for each instance named. */
import type { CommandDefinition, FlagDef } from '../../command.js'
import { none } from '../../render/result.js'
import { instanceRef, startFailed } from './common.js'

const timeoutFlag: FlagDef = {
  long: 'timeout',
  type: 'string',
  default: '-1',
  description: 'Time to wait for the instance to shutdown cleanly',
}
const forceFlag: FlagDef = {
  long: 'force',
  short: 'f',
  type: 'boolean',
  description: 'Force the instance to stop',
}
const statefulFlag: FlagDef = { long: 'stateful', type: 'boolean', description: 'Store the instance state' }

function action(
  command: 'start' | 'stop' | 'restart' | 'pause',
  short: string,
  flags: FlagDef[],
): CommandDefinition {
  return {
    names: [command],
    usage: '[<remote>:]<instance> [[<remote>:]<instance>...]',
    short,
    args: { min: 1, max: Infinity },
    flags,
    async run(ctx, args, f) {
      const raw = typeof f.timeout === 'string' ? f.timeout : '-1'
      const timeout = Number(raw)
      if (!/^[+-]?\d+$/.test(raw) || !Number.isSafeInteger(timeout))
        throw new Error(
          `invalid argument "${raw}" for "--timeout" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`,
        )
      for (const arg of args) {
        const { client, name } = await instanceRef(ctx, arg)
        // As lxc: pause is LXD's freeze, and start of a frozen instance thaws it.
        let wire: string = command === 'pause' ? 'freeze' : command
        if (command === 'start' && (await client.instances.get(name)).instance.status === 'Frozen')
          wire = 'unfreeze'
        try {
          await client.instances.setState(name, {
            action: wire,
            timeout,
            force: f.force === true,
            stateful: f.stateful === true,
          })
        } catch (err) {
          if (command === 'start') throw startFailed(err, arg)
          throw err
        }
      }
      return none()
    },
  }
}

/** `corral start`. */
export const instanceStart = action('start', 'Start instances', [statefulFlag])
/** `corral stop [--force] [--timeout N]`. */
export const instanceStop = action('stop', 'Stop instances', [forceFlag, statefulFlag, timeoutFlag])
/** `corral restart [--force] [--timeout N]`. */
export const instanceRestart = action('restart', 'Restart instances', [forceFlag, timeoutFlag])
/** `corral pause`: freezes the instances (`corral start` thaws them). */
export const instancePause = action('pause', 'Pause instances', [])
