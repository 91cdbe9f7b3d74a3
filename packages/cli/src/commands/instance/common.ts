/** @module Helpers of the instance commands: `[<remote>:]<instance>[/<snapshot>]` arguments and progress. */
import { OperationError, type Client } from '@corral/client'
import type { Context } from '../../context.js'
import { splitRemote } from '../../remotes/config.js'
import { Progress } from '../../stdio.js'
import { refCommand } from '../ref-command.js'

/** A resolved instance argument. */
export interface InstanceRef {
  client: Client
  /** The remote name (`local`). */
  remote: string
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
  return at < 0
    ? { client, remote, name }
    : { client, remote, name: name.slice(0, at), snapshot: name.slice(at + 1) }
}

/** Builds a command on one instance: resolves `[<remote>:]<instance>` (args[0]) before `run`. */
export const instanceCommand = refCommand(instanceRef)

/** Wraps a failed existence check as lxc words it: `Failed checking instance exists "local:c1": ...`. */
export function checkFailed(what: string, ref: string, err: unknown): Error {
  const msg = err instanceof Error ? err.message : String(err)
  return new Error(`Failed checking ${what} exists "${ref}": ${msg}`, { cause: err })
}

/** Adds lxc's hint to a failed start operation (not to a refused request). */
export function startFailed(err: unknown, name: string): unknown {
  if (!(err instanceof OperationError)) return err
  return new Error(`${err.message}\nTry \`corral info --show-log ${name}\` for more info`, { cause: err })
}

/** A progress handler that shows an operation's `*_progress` metadata after `prefix`. */
export function progressOf(
  ctx: Context,
  prefix: string,
): { progress: Progress; onProgress: (m: Record<string, unknown>) => void } {
  const progress = new Progress(ctx.stdio)
  return { progress, onProgress: (m) => progress.fromMetadata(prefix, m) }
}

/** True when an instance's expanded config makes it privileged (no user namespace). */
export function isPrivileged(config: Record<string, string> | undefined): boolean {
  return ['true', '1', 'yes', 'on'].includes((config?.['security.privileged'] ?? '').toLowerCase())
}
