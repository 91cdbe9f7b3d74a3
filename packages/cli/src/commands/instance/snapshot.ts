/** @module `corral snapshot` and `corral restore`. */
import type { CommandDefinition } from '../../command.js'
import { none } from '../../render/result.js'
import { instanceCommand } from './common.js'

/** `corral snapshot [<remote>:]<instance> [<snapshot name>]`: the server names it when omitted. */
export const instanceSnapshot: CommandDefinition = instanceCommand({
  names: ['snapshot'],
  usage: '[<remote>:]<instance> [<snapshot name>]',
  short: 'Create instance snapshots',
  long: "Create instance snapshots\n\nWhen --stateful is used, LXD attempts to checkpoint the instance's\nrunning state, including process memory state, TCP connections, ...",
  args: { min: 1, max: 2 },
  flags: [
    {
      long: 'stateful',
      type: 'boolean',
      description: "Whether or not to snapshot the instance's running state",
    },
    {
      long: 'reuse',
      type: 'boolean',
      description: 'If the snapshot name already exists, delete and create a new one',
    },
  ],
  async run(client, name, args, _ctx, flags) {
    const snap = args[1] ?? ''
    if (snap.includes('/')) throw new Error("Snapshot names can't contain '/'")
    if (flags.reuse && snap !== '') {
      const existing = await client.instances.snapshots(name)
      if (existing.some((s) => s.name === snap)) await client.instances.deleteSnapshot(name, snap)
    }
    await client.instances.createSnapshot(name, snap, flags.stateful === true)
    return none()
  },
})

/** `corral restore [<remote>:]<instance> <snapshot>`. */
export const instanceRestore: CommandDefinition = instanceCommand({
  names: ['restore'],
  usage: '[<remote>:]<instance> <snapshot>',
  short: 'Restore instances from snapshots',
  args: { min: 2, max: 2 },
  flags: [
    {
      long: 'stateful',
      type: 'boolean',
      description: "Whether or not to restore the instance's running state from snapshot (if available)",
    },
  ],
  async run(client, name, args, _ctx, flags) {
    const snap = args[1]!.includes('/') ? args[1]!.slice(args[1]!.indexOf('/') + 1) : args[1]!
    const { instance, etag } = await client.instances.get(name)
    await client.instances.put(
      name,
      {
        architecture: instance.architecture,
        config: instance.config,
        devices: instance.devices,
        ephemeral: instance.ephemeral,
        profiles: instance.profiles,
        stateful: flags.stateful === true,
        description: instance.description,
        restore: snap,
      },
      etag,
    )
    return none()
  },
})
