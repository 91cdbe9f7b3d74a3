/** @module `corral storage`: storage pools (create, list, show, get, set, unset, edit, delete, info). */
import type { StoragePool } from '@corral/api'
import type { Client } from '@corral/client'
import { parseKeyValues, parseSetArgs, type CommandDefinition, type CommandGroup } from '../../command.js'
import type { Context } from '../../context.js'
import { none, text, yaml } from '../../render/result.js'
import { storagePoolShape } from '../../render/instance-shapes.js'
import { toYaml } from '../../render/yaml.js'
import { byteSizeIEC } from '../../render/units.js'
import { editFlow, parseYamlStrings, stringMap, target } from '../common.js'
import { listCommand } from '../list-command.js'
import { deleteCommand, showCommand } from '../named-commands.js'

const pool = (ctx: Context, arg: string): Promise<{ client: Client; name: string }> =>
  target(ctx, arg, 'storage pool')

async function updatePool(
  client: Client,
  name: string,
  change: (config: Record<string, string>) => void,
): Promise<void> {
  const { pool: p, etag } = await client.storagePools.get(name)
  const config = { ...p.config }
  change(config)
  await client.storagePools.put(name, { config, description: p.description }, etag)
}

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
export const storageCreate: CommandDefinition = {
  names: ['create'],
  usage: '[<remote>:]<pool> <driver> [key=value...]',
  short: 'Create storage pools',
  args: { min: 2, max: Infinity },
  flags: [{ long: 'target', type: 'string', description: 'Cluster member name' }],
  async run(ctx, args) {
    const { client, name } = await pool(ctx, args[0]!)
    await client.storagePools.create({
      name,
      driver: args[1]!,
      config: parseKeyValues(args.slice(2)),
      description: '',
    })
    return text(`Storage pool ${name} created\n`)
  },
}

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
export const storageGet: CommandDefinition = {
  names: ['get'],
  usage: '[<remote>:]<pool> <key>',
  short: 'Get values for storage pool configuration keys',
  args: { min: 2, max: 2 },
  async run(ctx, args) {
    const { client, name } = await pool(ctx, args[0]!)
    return text(`${(await client.storagePools.get(name)).pool.config?.[args[1]!] ?? ''}\n`)
  },
}

/** `corral storage set [<remote>:]<pool> <key>=<value>...`. */
export const storageSet: CommandDefinition = {
  names: ['set'],
  usage: '[<remote>:]<pool> <key> <value>',
  short: 'Set storage pool configuration keys',
  args: { min: 2, max: Infinity },
  async run(ctx, args) {
    const { client, name } = await pool(ctx, args[0]!)
    const values = parseSetArgs(args.slice(1))
    await updatePool(client, name, (config) => Object.assign(config, values))
    return none()
  },
}

/** `corral storage unset [<remote>:]<pool> <key>`. */
export const storageUnset: CommandDefinition = {
  names: ['unset'],
  usage: '[<remote>:]<pool> <key>',
  short: 'Unset storage pool configuration keys',
  args: { min: 2, max: 2 },
  async run(ctx, args) {
    const { client, name } = await pool(ctx, args[0]!)
    await updatePool(client, name, (config) => void delete config[args[1]!])
    return none()
  },
}

/** `corral storage edit [<remote>:]<pool>`. */
export const storageEdit: CommandDefinition = {
  names: ['edit'],
  usage: '[<remote>:]<pool>',
  short: 'Edit storage pool configurations as YAML',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { client, name } = await pool(ctx, args[0]!)
    const { pool: p, etag } = await client.storagePools.get(name)
    const apply = async (edited: string): Promise<void> => {
      const doc = await parseYamlStrings(edited)
      const description = typeof doc.description === 'string' ? doc.description : ''
      await client.storagePools.put(name, { config: stringMap(doc.config), description }, etag)
    }
    if (!ctx.stdinIsTTY) {
      await apply(await ctx.readStdin())
      return none()
    }
    await editFlow(ctx, { header: '', current: toYaml(storagePoolShape(p)), apply })
    return none()
  },
}

/** `corral storage delete [<remote>:]<pool>`. */
export const storageDelete: CommandDefinition = deleteCommand({
  what: 'storage pool',
  arg: 'pool',
  label: 'Storage pool',
  short: 'Delete storage pools',
  remove: (client, name) => client.storagePools.delete(name),
})

/** `corral storage info [<remote>:]<pool>`: usage and space. */
export const storageInfo: CommandDefinition = {
  names: ['info'],
  usage: '[<remote>:]<pool>',
  short: 'Show useful information about storage pools',
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { client, name } = await pool(ctx, args[0]!)
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
}

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
