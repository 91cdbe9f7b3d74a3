/** @module One builder for `get|set|unset` of an entity's config keys (profiles, projects, storage pools). */
import type { Client } from '@corral/client'
import { parseSetArgs, type CommandDefinition } from '../command.js'
import type { Context } from '../context.js'
import { none, text } from '../render/result.js'

/** A string map of config keys. */
export type ConfigMap = Record<string, string>

/** What owns the config keys, and how its commands are worded. */
export interface KeyValueHost<T> {
  /** The usage placeholder without brackets (`profile`, `pool`). */
  arg: string
  /** The noun of the help lines (`profile`, `storage pool`). */
  noun: string
  /** `set`'s usage after `[<remote>:]<arg> ` (lxc spells it differently per command). */
  setUsage: string
  /** `set`'s long help, where lxc has one. */
  setLong?: string
  /** `unset`: delete the key, delete it only if present (else lxc's error), or send it empty. */
  unset: 'delete' | 'delete-known' | 'send-empty'
  /** Resolves `[<remote>:]<name>`. */
  resolve(ctx: Context, arg: string): Promise<{ client: Client; name: string }>
  /** GET of the owner. */
  load(client: Client, name: string): Promise<{ current: T; etag: string | undefined }>
  /** The owner's config keys. */
  config(current: T): ConfigMap | undefined
  /** PUT of the owner with `config` in place of its keys. */
  save(client: Client, name: string, current: T, config: ConfigMap, etag: string | undefined): Promise<void>
}

/** GET, change a copy of the config keys, then PUT with If-Match. */
async function updateKeys<T>(
  host: KeyValueHost<T>,
  client: Client,
  name: string,
  change: (config: ConfigMap) => void,
): Promise<void> {
  const { current, etag } = await host.load(client, name)
  const config = { ...host.config(current) }
  change(config)
  await host.save(client, name, current, config, etag)
}

/** The `get`, `set` and `unset` commands of one kind of owner. */
export function keyValueCommands<T>(
  host: KeyValueHost<T>,
): Record<'get' | 'set' | 'unset', CommandDefinition> {
  const owner = `[<remote>:]<${host.arg}>`
  return {
    get: {
      names: ['get'],
      usage: `${owner} <key>`,
      short: `Get values for ${host.noun} configuration keys`,
      args: { min: 2, max: 2 },
      async run(ctx, args) {
        const { client, name } = await host.resolve(ctx, args[0]!)
        const { current } = await host.load(client, name)
        return text(`${host.config(current)?.[args[1]!] ?? ''}\n`)
      },
    },
    set: {
      names: ['set'],
      usage: `${owner} ${host.setUsage}`,
      short: `Set ${host.noun} configuration keys`,
      ...(host.setLong === undefined ? {} : { long: host.setLong }),
      args: { min: 2, max: Infinity },
      async run(ctx, args) {
        const { client, name } = await host.resolve(ctx, args[0]!)
        const values = parseSetArgs(args.slice(1))
        await updateKeys(host, client, name, (config) => Object.assign(config, values))
        return none()
      },
    },
    unset: {
      names: ['unset'],
      usage: `${owner} <key>`,
      short: `Unset ${host.noun} configuration keys`,
      args: { min: 2, max: 2 },
      async run(ctx, args) {
        const { client, name } = await host.resolve(ctx, args[0]!)
        const key = args[1]!
        await updateKeys(host, client, name, (config) => {
          if (host.unset === 'send-empty') {
            // As lxc: the key is sent empty and the server drops it (and rejects unknown keys).
            config[key] = ''
            return
          }
          if (host.unset === 'delete-known' && !(key in config))
            throw new Error(`Unknown configuration key: ${key}`)
          delete config[key]
        })
        return none()
      },
    },
  }
}
