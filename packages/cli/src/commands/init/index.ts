/** @module Server setup as `lxd init` does it: `--auto`, `--minimal`, `--preseed`, `--dump` and the questions. */
import type { FlagDef, FlagValues } from '../../command.js'
import type { Context } from '../../context.js'
import { none, text, type Result } from '../../render/result.js'
import { autoPreseed } from './auto.js'
import { interactivePreseed } from './interactive.js'
import { applyPreseed, checkPreseed, parsePreseed, preseedYaml, type Preseed } from './preseed.js'

/** The flags of server setup (on `corral init` and `corral admin init`). */
export const serverInitFlags: readonly FlagDef[] = [
  { long: 'auto', type: 'boolean', description: 'Automatic (non-interactive) mode' },
  { long: 'minimal', type: 'boolean', description: 'Minimal configuration (non-interactive)' },
  { long: 'preseed', type: 'boolean', description: 'Pre-seed mode, expects YAML config from stdin' },
  { long: 'dump', type: 'boolean', description: 'Dump YAML config to stdout' },
  { long: 'network-address', type: 'string', description: 'Address to bind to (default: none)' },
  { long: 'network-port', type: 'string', description: 'Port to bind to (default: 8443)' },
  {
    long: 'storage-backend',
    type: 'string',
    description: 'Storage backend to use (btrfs or dir, default: dir)',
  },
]

/** True when the flags ask for server setup rather than an instance. */
export const wantsServerInit = (flags: FlagValues): boolean =>
  serverInitFlags.some((f) => flags[f.long] !== undefined && flags[f.long] !== false)

const given = (flags: FlagValues, name: string): string | undefined =>
  typeof flags[name] === 'string' ? flags[name] : undefined

/** The dump: the server's config, managed networks, pools, profiles and projects as a preseed. */
async function dump(ctx: Context): Promise<string> {
  const client = await ctx.client()
  const [{ server }, networks, pools, profiles, projects] = await Promise.all([
    client.server.get(),
    client.withProject('default').networks.list(),
    client.storagePools.list(),
    client.profiles.list(),
    client.projects.list(),
  ])
  const seed: Preseed = {
    config: Object.fromEntries(Object.entries(server.config ?? {}).map(([k, v]) => [k, String(v)])),
    networks: networks
      .filter((n) => n.managed)
      .map((n) => ({
        name: n.name,
        type: n.type,
        description: n.description,
        config: n.config,
        project: 'default',
      })),
    storage_pools: pools.map((p) => ({
      name: p.name,
      driver: p.driver,
      description: p.description,
      config: p.config,
    })),
    profiles: profiles.map((p) => ({
      name: p.name,
      description: p.description,
      config: p.config,
      devices: p.devices,
    })),
    projects: projects.map((p) => ({ name: p.name, description: p.description, config: p.config })),
  }
  return `${preseedYaml(seed)}\n`
}

/** Runs server setup: checks the flags as lxd init does, builds the preseed, checks it, then applies it. */
export async function serverInit(ctx: Context, flags: FlagValues): Promise<Result> {
  const auto = flags.auto === true
  const minimal = flags.minimal === true
  const preseed = flags.preseed === true
  const address = given(flags, 'network-address')
  const portText = given(flags, 'network-port')
  const backend = given(flags, 'storage-backend')
  const configFlags = address !== undefined || portText !== undefined || backend !== undefined
  if (auto && preseed) throw new Error("Can't use --auto and --preseed together")
  if (minimal && preseed) throw new Error("Can't use --minimal and --preseed together")
  if (minimal && auto) throw new Error("Can't use --minimal and --auto together")
  if (flags.dump === true && (auto || minimal || preseed || configFlags))
    throw new Error("Can't use --dump with other flags")
  if (!auto && !minimal && configFlags) throw new Error('Configuration flags require --auto')
  if (flags.dump === true) return text(await dump(ctx))
  let port: number | undefined
  if (portText !== undefined) {
    port = Number(portText)
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535)
      throw new Error(`invalid argument "${portText}" for "--network-port" flag`)
  }
  const client = await ctx.client()
  let seed: Preseed
  if (preseed) seed = await parsePreseed(await ctx.readStdin())
  else if (auto || minimal)
    seed = await autoPreseed(client, { storageBackend: backend, networkAddress: address, networkPort: port })
  else seed = await interactivePreseed(ctx, client)
  await checkPreseed(client, seed)
  await applyPreseed(client, seed)
  return none()
}
