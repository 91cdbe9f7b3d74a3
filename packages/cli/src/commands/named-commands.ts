/** @module Builders for `delete`, `rename` and `show` of named entities (profiles, projects, pools, operations). */
import type { Client } from '@corral/client'
import type { CommandDefinition } from '../command.js'
import { none, text, yaml } from '../render/result.js'
import { target } from './common.js'
import { refCommand } from './ref-command.js'

/** How a named entity is spelled in help, errors and output. */
export interface Named {
  /** The word of "Missing <what> name" (`profile`, `storage pool`). */
  what: string
  /** The usage placeholder without brackets (`profile`, `pool`). */
  arg: string
  /** The output's capitalised word (`Profile`, `Storage pool`). */
  label: string
  /** Help line. */
  short: string
}

/** A command on one entity: resolves `[<remote>:]<name>` with the entity's "Missing <what> name" error. */
const namedCommand = (n: Pick<Named, 'what'>) => refCommand((ctx, arg) => target(ctx, arg, n.what))

/** `delete [<remote>:]<name>`: prints `<Label> <name> deleted` (nothing with --quiet, as lxc). */
export function deleteCommand(
  n: Named & { names?: string[]; remove(client: Client, name: string): Promise<void> },
): CommandDefinition {
  return namedCommand(n)({
    names: n.names ?? ['delete', 'rm'],
    usage: `[<remote>:]<${n.arg}>`,
    short: n.short,
    args: { min: 1, max: 1 },
    async run(client, name, _args, ctx) {
      await n.remove(client, name)
      return ctx.global.quiet ? none() : text(`${n.label} ${name} deleted\n`)
    },
  })
}

/** `rename|mv [<remote>:]<name> <new-name>`: prints `<Label> <name> renamed to <new-name>` (nothing with --quiet). */
export function renameCommand(
  n: Named & { rename(client: Client, name: string, newName: string): Promise<void> },
): CommandDefinition {
  return namedCommand(n)({
    names: ['rename', 'mv'],
    usage: `[<remote>:]<${n.arg}> <new-name>`,
    short: n.short,
    args: { min: 2, max: 2 },
    async run(client, name, args, ctx) {
      await n.rename(client, name, args[1]!)
      return ctx.global.quiet ? none() : text(`${n.label} ${name} renamed to ${args[1]!}\n`)
    },
  })
}

/** `show [<remote>:]<name>`: the entity as YAML. */
export function showCommand(
  n: Omit<Named, 'label'> & { shape(client: Client, name: string): Promise<unknown> },
): CommandDefinition {
  return namedCommand(n)({
    names: ['show'],
    usage: `[<remote>:]<${n.arg}>`,
    short: n.short,
    args: { min: 1, max: 1 },
    async run(client, name) {
      return yaml(await n.shape(client, name))
    },
  })
}
