/** @module `corral init` and `corral launch`: create an instance from an image (and start it). */
import type { Devices } from '@corral/api'
import type { Client, InstanceSource } from '@corral/client'
import { UsageError, parseKeyValues, type CommandDefinition, type FlagValues } from '../../command.js'
import type { Context } from '../../context.js'
import { none, type Result } from '../../render/result.js'
import { splitRemote } from '../../remotes/config.js'
import { pullSource } from '../image/remote-source.js'
import { serverInit, serverInitFlags, wantsServerInit } from '../init/index.js'
import { progressOf, startFailed } from './common.js'

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [])

const createFlags = [
  {
    long: 'config',
    short: 'c',
    type: 'strings',
    description: 'Config key/value to apply to the new instance',
  },
  { long: 'profile', short: 'p', type: 'strings', description: 'Profile to apply to the new instance' },
  { long: 'device', short: 'd', type: 'strings', description: 'New key/value to apply to a specific device' },
  { long: 'storage', short: 's', type: 'string', description: 'Storage pool name' },
  { long: 'ephemeral', short: 'e', type: 'boolean', description: 'Ephemeral instance' },
  { long: 'no-profiles', type: 'boolean', description: 'Create the instance with no profiles applied' },
  { long: 'empty', type: 'boolean', description: 'Create an empty instance' },
  { long: 'target', type: 'string', description: 'Cluster member name' },
] as const

/** Parses `-d device,key=value` overrides into device → keys. */
function deviceOverrides(values: readonly string[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {}
  for (const v of values) {
    const [device, ...rest] = v.split(',')
    if (!device || rest.length === 0)
      throw new Error(`Bad device override syntax, expecting <device>,<key>=<value>: ${v}`)
    out[device] = { ...out[device], ...parseKeyValues(rest) }
  }
  return out
}

/** The `source` of an image on another server (lxc's CreateInstanceFromImage): alias when public, else fingerprint and secret. */
async function remoteSource(client: Client, ref: string): Promise<InstanceSource> {
  const pull = await pullSource(client, ref)
  const byAlias = pull.alias !== undefined && pull.image.public
  return {
    type: 'image',
    ...pull.source,
    ...(byAlias ? { alias: pull.alias } : { fingerprint: pull.image.fingerprint }),
  }
}

/** Creates the instance as lxc does; returns its name. */
async function create(
  ctx: Context,
  args: string[],
  flags: FlagValues,
): Promise<{ name: string; client: Awaited<ReturnType<Context['client']>> }> {
  if (flags.empty) throw new Error('Empty instances are not supported')
  const config = await ctx.config()
  const image = splitRemote(config, args[0]!)
  const dest = args[1] === undefined ? undefined : splitRemote(config, args[1])
  // As lxc: without a target the instance goes to the default remote, wherever the image is.
  const targetRemote = dest?.remote ?? config['default-remote']
  const client = await ctx.client(targetRemote)
  const name = dest?.name ?? ''
  ctx.stdio.out(name ? `Creating ${name}\n` : 'Creating the instance\n')
  const profiles = flags['no-profiles'] ? [] : list(flags.profile).length ? list(flags.profile) : undefined
  const devices: Devices = {}
  const overrides = deviceOverrides(list(flags.device))
  if (Object.keys(overrides).length > 0) {
    const expanded: Devices = {}
    for (const p of profiles ?? ['default'])
      Object.assign(expanded, (await client.profiles.get(p)).profile.devices)
    for (const [dev, keys] of Object.entries(overrides)) {
      if (!expanded[dev])
        throw new Error(`Cannot override config for device "${dev}": Device not found in profile devices`)
      devices[dev] = { ...expanded[dev], ...keys }
    }
  }
  if (typeof flags.storage === 'string')
    devices.root = { ...devices.root, type: 'disk', path: '/', pool: flags.storage }
  const source =
    image.remote !== targetRemote
      ? await remoteSource(await ctx.client(image.remote), image.name)
      : /^[0-9a-f]{12,64}$/.test(image.name)
        ? { type: 'image' as const, fingerprint: image.name, alias: image.name }
        : { type: 'image' as const, alias: image.name }
  const { progress, onProgress } = progressOf(ctx, 'Retrieving image: ')
  let created = name
  try {
    await client.instances.create(
      {
        name,
        type: 'container',
        source,
        config: parseKeyValues(list(flags.config)),
        devices,
        ephemeral: flags.ephemeral === true,
        ...(profiles ? { profiles } : {}),
      },
      (m) => {
        onProgress(m)
      },
    )
  } finally {
    progress.done()
  }
  if (!created) {
    const all = await client.instances.listFull()
    created = all.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0]?.name ?? ''
    ctx.stdio.out(`Instance name is: ${created}\n`)
  }
  const { instance } = await client.instances.get(created)
  if (!Object.values(instance.expanded_devices ?? {}).some((d) => d.type === 'nic'))
    ctx.stdio.err(
      "\nThe instance you are starting doesn't have any network attached to it.\n  To create a new network, use: corral network create\n  To attach a network to an instance, use: corral network attach\n\n",
    )
  return { name: created, client }
}

/** `corral init [<remote>:]<image> [<remote>:][<name>]`; with server flags (or alone on a terminal) `lxd init`. */
export const instanceInit: CommandDefinition = {
  names: ['init', 'create'],
  usage: '[<remote>:]<image> [<remote>:][<name>]',
  short: 'Create instances from images',
  examples:
    'corral init busybox c1\n\ncorral init\n    On a terminal, without arguments: set up the server by answering questions (as lxd init).\n\ncorral init --auto [--network-address=IP] [--network-port=8443] [--storage-backend=dir|btrfs]\n    Set up a default storage pool, a corralbr0 bridge and the default profile (as lxd init --auto).\n\ncorral init --preseed < preseed.yaml\n    Apply an lxd init preseed (config, networks, storage_pools, profiles, projects).',
  args: { min: 0, max: 2 },
  flags: [...createFlags, ...serverInitFlags],
  async run(ctx, args, flags): Promise<Result> {
    if (wantsServerInit(flags)) {
      if (args.length > 0) throw new UsageError('Invalid number of arguments', true)
      return serverInit(ctx, flags)
    }
    if (args.length === 0 && ctx.stdio.stdinIsTTY) return serverInit(ctx, flags)
    if (args.length === 0) throw new UsageError('Invalid number of arguments', true)
    await create(ctx, args, flags)
    return none()
  },
}

/** `corral launch [<remote>:]<image> [<remote>:][<name>]`. */
export const instanceLaunch: CommandDefinition = {
  names: ['launch'],
  usage: '[<remote>:]<image> [<remote>:][<name>]',
  short: 'Create and start instances from images',
  examples: 'corral launch busybox c1\n    Create and start a container from the busybox image.',
  args: { min: 1, max: 2 },
  flags: createFlags,
  async run(ctx, args, flags) {
    const { name, client } = await create(ctx, args, flags)
    ctx.stdio.out(`Starting ${name}\n`)
    await client.instances
      .setState(name, { action: 'start', timeout: -1, force: false, stateful: false })
      .catch((err: unknown) => {
        throw startFailed(err, name)
      })
    return none()
  },
}
