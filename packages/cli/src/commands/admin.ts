/** @module `corral admin init|shutdown`: server setup (storage, bridge, default profile) and daemon shutdown. */
import type { CommandDefinition, CommandGroup } from '../command.js'
import { none } from '../render/result.js'
import { serverInit, serverInitFlags } from './init/index.js'

/** `corral admin init`: server setup as `lxd init` (questions, `--auto`, `--minimal`, `--preseed`, `--dump`). */
export const adminInit: CommandDefinition = {
  names: ['init'],
  usage: '',
  short: 'Configure the daemon',
  examples:
    'corral admin init --minimal\ncorral admin init --auto [--network-address=IP] [--network-port=8443] [--storage-backend=dir]\ncorral admin init --preseed < preseed.yaml\ncorral admin init --dump',
  args: { min: 0, max: 0 },
  flags: serverInitFlags,
  run: (ctx, _args, flags) => serverInit(ctx, flags),
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
