/** @module `corral admin init|shutdown`: minimal server setup (storage and root disk) and daemon shutdown. */
import type { CommandDefinition, CommandGroup, FlagValues } from '../command.js'
import type { Context } from '../context.js'
import { none, type Result } from '../render/result.js'

/** `init --auto`: pool `default` (dir or btrfs) and a root disk in the default profile; networks come later. */
export async function adminInitAuto(ctx: Context, flags: FlagValues): Promise<Result> {
  const driver = typeof flags['storage-backend'] === 'string' ? flags['storage-backend'] : 'dir'
  if (!['dir', 'btrfs'].includes(driver))
    throw new Error(`The requested backend '${driver}' isn't supported by init`)
  const client = await ctx.client()
  const pools = await client.storagePools.list()
  if (!pools.some((p) => p.name === 'default'))
    await client.storagePools.create({ name: 'default', driver, config: {}, description: '' })
  const { profile, etag } = await client.profiles.get('default')
  if (!Object.values(profile.devices ?? {}).some((d) => d.type === 'disk' && d.path === '/')) {
    const devices = { ...profile.devices, root: { path: '/', pool: 'default', type: 'disk' } }
    await client.profiles.put(
      'default',
      { config: profile.config, description: profile.description, devices },
      etag,
    )
  }
  return none()
}

/** `corral admin init --auto`. */
export const adminInit: CommandDefinition = {
  names: ['init'],
  usage: '',
  short: 'Configure the daemon',
  args: { min: 0, max: 0 },
  flags: [
    { long: 'auto', type: 'boolean', description: 'Automatic (non-interactive) mode' },
    { long: 'storage-backend', type: 'string', description: 'Storage backend to use (btrfs or dir)' },
  ],
  run(ctx, _args, flags) {
    if (!flags.auto) return Promise.reject(new Error('Only --auto is supported'))
    return adminInitAuto(ctx, flags)
  },
}

/** `corral admin shutdown`: asks the daemon to stop, then waits until its socket stops answering. */
export const adminShutdown: CommandDefinition = {
  names: ['shutdown'],
  usage: '',
  short: 'Tell the daemon to shutdown all instances and exit',
  args: { min: 0, max: 0 },
  flags: [
    {
      long: 'timeout',
      short: 't',
      type: 'string',
      default: '0',
      description: 'Number of seconds to wait before giving up',
    },
  ],
  async run(ctx, _args, flags) {
    const client = await ctx.client()
    await client.query('PUT', '/internal/shutdown')
    const limit = Number(flags.timeout) > 0 ? Date.now() + Number(flags.timeout) * 1000 : Infinity
    for (;;) {
      const up = await client.server.get().then(
        () => true,
        () => false,
      )
      if (!up) return none()
      if (Date.now() > limit) throw new Error('Daemon still running after the timeout')
      await new Promise((r) => setTimeout(r, 200))
    }
  },
}

/** `corral admin`. */
export const admin: CommandGroup = {
  names: ['admin'],
  short: 'Manage the daemon',
  subcommands: [adminInit, adminShutdown],
}
