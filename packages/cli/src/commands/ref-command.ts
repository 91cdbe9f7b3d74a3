/** @module One builder for commands whose first argument names one thing (`[<remote>:]<network>`, an instance). */
import type { Client } from '@corral/client'
import type { CommandDefinition, FlagValues } from '../command.js'
import type { Context } from '../context.js'
import type { Result } from '../render/result.js'

/** A command on one named thing; `run` gets the client and name its first argument resolves to. */
export interface RefCommandSpec extends Omit<CommandDefinition, 'run'> {
  /** Runs on the thing named by the first argument. */
  run(client: Client, name: string, args: string[], ctx: Context, flags: FlagValues): Promise<Result>
}

/** A builder of commands whose first argument `resolve` turns into a client and a name before `run`. */
export function refCommand(
  resolve: (ctx: Context, arg: string) => Promise<{ client: Client; name: string }>,
): (spec: RefCommandSpec) => CommandDefinition {
  return (spec) => ({
    ...spec,
    async run(ctx, args, flags) {
      const { client, name } = await resolve(ctx, args[0]!)
      return spec.run(client, name, args, ctx, flags)
    },
  })
}
