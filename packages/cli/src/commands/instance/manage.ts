/** @module `corral delete` and `corral rename|move` for instances and their snapshots. */
import { UsageError, type CommandDefinition } from '../../command.js'
import { none } from '../../render/result.js'
import { checkFailed, instanceRef } from './common.js'

/** `corral delete [<remote>:]<instance>[/<snapshot>]... [--force]`. */
export const instanceDelete: CommandDefinition = {
  names: ['delete', 'rm'],
  usage: '[<remote>:]<instance>[/<snapshot>] [[<remote>:]<instance>[/<snapshot>]...]',
  short: 'Delete instances and snapshots',
  args: { min: 1, max: Infinity },
  flags: [
    { long: 'force', short: 'f', type: 'boolean', description: 'Force the removal of running instances' },
    { long: 'interactive', short: 'i', type: 'boolean', description: 'Require user confirmation' },
  ],
  async run(ctx, args, flags) {
    for (const arg of args) {
      const { client, remote, name, snapshot } = await instanceRef(ctx, arg)
      if (snapshot !== undefined) {
        await client.instances.snapshot(name, snapshot).catch((err: unknown) => {
          throw checkFailed('instance snapshot', `${remote}:${name}/${snapshot}`, err)
        })
        await client.instances.deleteSnapshot(name, snapshot)
        continue
      }
      const { instance } = await client.instances.get(name).catch((err: unknown) => {
        throw checkFailed('instance', `${remote}:${name}`, err)
      })
      if (instance.status_code !== 0 && instance.status_code !== 102) {
        if (!flags.force) throw new Error('The instance is currently running, stop it first or pass --force')
        try {
          await client.instances.setState(name, { action: 'stop', timeout: -1, force: true, stateful: false })
        } catch (err) {
          throw new Error(
            `Stopping the instance failed: ${err instanceof Error ? err.message : String(err)}`,
            {
              cause: err,
            },
          )
        }
        if (instance.ephemeral) continue
      }
      if (instance.expanded_config?.['security.protection.delete'] === 'true')
        throw new Error('Instance is protected from being deleted')
      await client.instances.delete(name)
    }
    return none()
  },
}

/** `corral move|rename [<remote>:]<instance>[/<snapshot>] [<remote>:][<instance>[/<snapshot>]]` (renames only). */
export const instanceMove: CommandDefinition = {
  names: ['move', 'mv'],
  usage: '[<remote>:]<instance>[/<snapshot>] [<remote>:][<instance>[/<snapshot>]]',
  short: 'Move instances within or in between LXD servers',
  args: { min: 2, max: 2 },
  async run(ctx, args) {
    const from = await instanceRef(ctx, args[0]!)
    const to = await instanceRef(ctx, args[1]!)
    if (from.remote !== to.remote)
      throw new Error(
        `Moving instances between servers is not supported (from "${from.remote}" to "${to.remote}")`,
      )
    if (from.snapshot !== undefined) {
      if (to.snapshot === undefined || to.name !== from.name)
        throw new UsageError('Invalid new snapshot name, parent must be the same as source')
      await from.client.instances.renameSnapshot(from.name, from.snapshot, to.snapshot)
      return none()
    }
    if (to.snapshot !== undefined) throw new Error('Invalid target name')
    await from.client.instances.rename(from.name, to.name)
    return none()
  },
}

/** `corral rename`: the same as move within one server. */
export const instanceRename: CommandDefinition = {
  ...instanceMove,
  names: ['rename'],
  usage: '[<remote>:]<instance>[/<snapshot>] <instance>[/<snapshot>]',
  short: 'Rename instances and snapshots',
}
