/** @module One builder for `edit [<remote>:]<name>` (profiles, projects, networks, certificates): YAML from stdin, or $EDITOR. */
import type { Client } from '@corral/client'
import type { CommandDefinition } from '../command.js'
import type { Context } from '../context.js'
import { none } from '../render/result.js'
import { toYaml } from '../render/yaml.js'
import { editFlow, target } from './common.js'
import { refCommand } from './ref-command.js'

/** What one `edit` command edits. */
export interface EditSpec<P> {
  /** The entity word (`profile`): usage placeholder and "Missing <what> name". */
  what: string
  /** The usage placeholder when it is not `what` (`fingerprint`). */
  arg?: string
  /** Resolves the argument when `target(ctx, arg, what)` does not fit. */
  resolve?: (ctx: Context, arg: string) => Promise<{ client: Client; name: string }>
  short: string
  examples?: string
  /** The `###` comment block shown above the YAML in the editor. */
  header: string
  /** Reads the writable fields from YAML text. */
  parse(yamlText: string): Promise<P>
  /** GET: the entity as YAML shows it, and its ETag. */
  load(client: Client, name: string): Promise<{ shape: unknown; etag: string | undefined }>
  /** PUT (with If-Match when an ETag is given). */
  put(client: Client, name: string, body: P, etag?: string): Promise<void>
}

/** `edit`: stdin is sent as is without a GET; on a terminal, GET then $EDITOR with lxc's retry loop. */
export function editCommand<P>(spec: EditSpec<P>): CommandDefinition {
  return refCommand(spec.resolve ?? ((ctx, arg) => target(ctx, arg, spec.what)))({
    names: ['edit'],
    usage: `[<remote>:]<${spec.arg ?? spec.what}>`,
    short: spec.short,
    ...(spec.examples === undefined ? {} : { examples: spec.examples }),
    args: { min: 1, max: 1 },
    async run(client, name, _args, ctx) {
      if (!ctx.stdinIsTTY) {
        await spec.put(client, name, await spec.parse(await ctx.readStdin()))
        return none()
      }
      const { shape, etag } = await spec.load(client, name)
      await editFlow(ctx, {
        header: spec.header,
        current: toYaml(shape),
        apply: async (edited) => spec.put(client, name, await spec.parse(edited), etag),
      })
      return none()
    },
  })
}
