/** @module `corral storage`: storage pools (create, list, show, get, set, unset, edit, delete, info). */
import type { StoragePool } from '@corral/api'
import type { Client } from '@corral/client'
import { parseKeyValues, type CommandDefinition, type CommandGroup } from '../../command.js'
import type { Context } from '../../context.js'
import { none, text, yaml } from '../../render/result.js'
import { storagePoolShape } from '../../render/instance-shapes.js'
import { toYaml } from '../../render/yaml.js'
import { byteSizeIEC } from '../../render/units.js'
import { editFlow, parseYamlStrings, stringMap, target } from '../common.js'
import { keyValueCommands } from '../key-value-commands.js'
import { listCommand } from '../list-command.js'
import { deleteCommand, showCommand } from '../named-commands.js'
import { refCommand } from '../ref-command.js'

const pool = (ctx: Context, arg: string): Promise<{ client: Client; name: string }> =>
  target(ctx, arg, 'storage pool')

/** Commands on one pool: resolves `[<remote>:]<pool>` before `run`. */
const poolCommand = refCommand(pool)

/** A pool's config keys: `unset` deletes the key. */
const poolKeys = keyValueCommands<StoragePool>({
  arg: 'pool',
  noun: 'storage pool',
  setUsage: '<key> <value>',
  unset: 'delete',
  resolve: pool,
  async load(client, name) {
    const { pool: p, etag } = await client.storagePools.get(name)
    return { current: p, etag }
  },
  config: (p) => p.config,
  save: (client, name, p, config, etag) =>
    client.storagePools.put(name, { config, description: p.description }, etag),
})

/** One pool as a row: NAME, DRIVER, SOURCE, DESCRIPTION, USED BY, STATE. */
export function poolRow(p: StoragePool): string[] {
  return [
    p.name,
    p.driver,
    p.config?.source ?? '',
    p.description,
    String(p.used_by?.length ?? 0),
    p.status.toUpperCase(),
  ]
}

/** `corral storage create [<remote>:]<pool> <driver> [key=value...]`. */
export const storageCreate: CommandDefinition = poolCommand({
  names: ['create'],
  usage: '[<remote>:]<pool> <driver> [key=value...]',
  short: 'Create storage pools',
  args: { min: 2, max: Infinity },
  flags: [{ long: 'target', type: 'string', description: 'Cluster member name' }],
  async run(client, name, args) {
    await client.storagePools.create({
      name,
      driver: args[1]!,
      config: parseKeyValues(args.slice(2)),
      description: '',
    })
    return text(`Storage pool ${name} created\n`)
  },
})

/** `corral storage list [<remote>:]`. */
export const storageList: CommandDefinition = listCommand({
  short: 'List available storage pools',
  header: ['NAME', 'DRIVER', 'SOURCE', 'DESCRIPTION', 'USED BY', 'STATE'],
  fetch: (client) => client.storagePools.list(),
  rows: (pools) => pools.map(poolRow),
  raw: (p) => storagePoolShape(p),
})

/** `corral storage show [<remote>:]<pool>`. */
export const storageShow: CommandDefinition = {
  ...showCommand({
    what: 'storage pool',
    arg: 'pool',
    short: 'Show storage pool configurations and resources',
    shape: async (client, name) => storagePoolShape((await client.storagePools.get(name)).pool),
  }),
  flags: [
    { long: 'resources', type: 'boolean', description: 'Show the resources available to the storage pool' },
  ],
}

/** `corral storage get [<remote>:]<pool> <key>`. */
export const storageGet = poolKeys.get
/** `corral storage set [<remote>:]<pool> <key>=<value>...`. */
export const storageSet = poolKeys.set
/** `corral storage unset [<remote>:]<pool> <key>`. */
export const storageUnset = poolKeys.unset

/** `corral storage edit [<remote>:]<pool>`. */
export const storageEdit: CommandDefinition = poolCommand({
  names: ['edit'],
  usage: '[<remote>:]<pool>',
  short: 'Edit storage pool configurations as YAML',
  args: { min: 1, max: 1 },
  async run(client, name, _args, ctx) {
    const { pool: p, etag } = await client.storagePools.get(name)
    const apply = async (edited: string): Promise<void> => {
      const doc = await parseYamlStrings(edited)
      const description = typeof doc.description === 'string' ? doc.description : ''
      await client.storagePools.put(name, { config: stringMap(doc.config), description }, etag)
    }
    await editFlow(ctx, { header: '', current: toYaml(storagePoolShape(p)), apply })
    return none()
  },
})

/** `corral storage delete [<remote>:]<pool>`. */
export const storageDelete: CommandDefinition = deleteCommand({
  what: 'storage pool',
  arg: 'pool',
  label: 'Storage pool',
  short: 'Delete storage pools',
  remove: (client, name) => client.storagePools.delete(name),
})

/** `corral storage info [<remote>:]<pool>`: usage and space. */
export const storageInfo: CommandDefinition = poolCommand({
  names: ['info'],
  usage: '[<remote>:]<pool>',
  short: 'Show useful information about storage pools',
  args: { min: 1, max: 1 },
  async run(client, name) {
    const { pool: p } = await client.storagePools.get(name)
    const res = await client.storagePools.resources(name)
    const usedBy: Record<string, string[]> = {}
    for (const url of p.used_by ?? []) {
      const [kind, entity] = url
        .split('?')[0]!
        .replace(/^\/1\.0\//, '')
        .split('/')
      if (kind && entity) (usedBy[kind] ??= []).push(decodeURIComponent(entity))
    }
    const info = {
      description: p.description,
      driver: p.driver,
      name: p.name,
      'space used': byteSizeIEC(res.space.used),
      'total space': byteSizeIEC(res.space.total),
    }
    return yaml({ info, 'used by': usedBy })
  },
})

/** `corral storage`. */
export const storage: CommandGroup = {
  names: ['storage'],
  short: 'Manage storage pools and volumes',
  subcommands: [
    storageCreate,
    storageDelete,
    storageEdit,
    storageGet,
    storageInfo,
    storageList,
    storageSet,
    storageShow,
    storageUnset,
  ],
}
