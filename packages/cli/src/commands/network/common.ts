/** @module Helpers of the `network` commands: the `[<remote>:]<network>` argument and Go's struct shapes. */
import type { Network, NetworkLease } from '@corral/api'
import type { Client } from '@corral/client'
import type { FlagDef } from '../../command.js'
import type { Context } from '../../context.js'
import { mapOrEmpty, struct, type GoStruct } from '../../render/go-value.js'
import { target } from '../common.js'
import { refCommand } from '../ref-command.js'

/** Resolves `[<remote>:]<network>` (lxc's "Missing network name" when the name is empty). */
export const networkRef = (ctx: Context, arg: string): Promise<{ client: Client; name: string }> =>
  target(ctx, arg, 'network')

/** The `--target` flag: accepted and ignored, as corrald is never a cluster. */
export const targetFlag: FlagDef = { long: 'target', type: 'string', description: 'Cluster member name' }

/** Builds a command on one network: resolves `[<remote>:]<network>` (args[0]) before `run`. */
export const networkCommand = refCommand(networkRef)

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
