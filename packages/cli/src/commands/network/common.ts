/** @module Helpers of the `network` commands: the `[<remote>:]<network>` argument and Go's struct shapes. */
import type { Network, NetworkLease } from '@corral/api'
import type { Client } from '@corral/client'
import type { CommandDefinition, FlagDef, FlagValues } from '../../command.js'
import type { Context } from '../../context.js'
import { mapOrEmpty, struct, type GoStruct } from '../../render/go-value.js'
import type { Result } from '../../render/result.js'
import { target } from '../common.js'

/** Resolves `[<remote>:]<network>` (lxc's "Missing network name" when the name is empty). */
export const networkRef = (ctx: Context, arg: string): Promise<{ client: Client; name: string }> =>
  target(ctx, arg, 'network')

/** The `--target` flag: accepted and ignored, as corrald is never a cluster. */
export const targetFlag: FlagDef = { long: 'target', type: 'string', description: 'Cluster member name' }

/** A `network <verb> [<remote>:]<network> ...` command; `run` gets the resolved client and name. */
export interface NetworkCommandSpec extends Omit<CommandDefinition, 'run'> {
  /** Runs on the network named by the first argument. */
  run(client: Client, name: string, args: string[], ctx: Context, flags: FlagValues): Promise<Result>
}

/** Builds a command on one network: resolves `[<remote>:]<network>` (args[0]) before `spec.run`. */
export function networkCommand(spec: NetworkCommandSpec): CommandDefinition {
  return {
    ...spec,
    async run(ctx, args, flags) {
      const { client, name } = await networkRef(ctx, args[0]!)
      return spec.run(client, name, args, ctx, flags)
    },
  }
}

/** lxc's error for changes to a host interface. */
export const onlyManaged = 'Only managed networks can be modified'

/** api.Network (field order of LXD 5.0.2's struct). */
export function networkShape(n: Network): GoStruct {
  const fields = ['config', 'description', 'name', 'type', 'used_by', 'managed', 'status', 'locations']
  return struct(n, fields, {
    config: mapOrEmpty,
    used_by: (v) => v ?? [],
    locations: (v) => v ?? [],
  })
}

/** api.NetworkLease. */
export function leaseShape(l: NetworkLease): GoStruct {
  return struct(l, ['hostname', 'hwaddr', 'address', 'type', 'location'])
}
