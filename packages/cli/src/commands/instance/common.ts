/** @module Helpers of the instance commands: `[<remote>:]<instance>[/<snapshot>]` arguments and progress. */
import type { Client } from '@corral/client'
import type { Context } from '../../context.js'
import { splitRemote } from '../../remotes/config.js'
import { Progress } from '../../stdio.js'

/** A resolved instance argument. */
export interface InstanceRef {
  client: Client
  name: string
  /** The snapshot part of `name/snap`, when present. */
  snapshot?: string
}

/** Resolves `[<remote>:]<instance>[/<snapshot>]`. */
export async function instanceRef(ctx: Context, arg: string): Promise<InstanceRef> {
  const { remote, name } = splitRemote(await ctx.config(), arg)
  if (name === '') throw new Error('Missing instance name')
  const client = await ctx.client(remote)
  const at = name.indexOf('/')
  return at < 0 ? { client, name } : { client, name: name.slice(0, at), snapshot: name.slice(at + 1) }
}

/** A progress handler that shows an operation's `*_progress` metadata after `prefix`. */
export function progressOf(
  ctx: Context,
  prefix: string,
): { progress: Progress; onProgress: (m: Record<string, unknown>) => void } {
  const progress = new Progress(ctx.stdio)
  return { progress, onProgress: (m) => progress.fromMetadata(prefix, m) }
}
