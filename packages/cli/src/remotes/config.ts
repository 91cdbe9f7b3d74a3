/** @module The client config (config.yml): remotes and the current project, in lxc's file shape. */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { struct } from '../render/go-value.js'
import { toYaml } from '../render/yaml.js'

/** One remote as config.yml stores it. */
export interface RemoteConfig {
  addr: string
  auth_type?: string
  domain?: string
  project?: string
  protocol?: string
  public?: boolean
}

/** The whole client config. */
export interface ClientConfig {
  'default-remote': string
  remotes: Record<string, RemoteConfig>
  aliases: Record<string, string>
}

/** The config as lxc starts it: one `local` remote on the unix socket. */
export function defaultConfig(): ClientConfig {
  return { 'default-remote': 'local', remotes: { local: { addr: 'unix://', public: false } }, aliases: {} }
}

/**
 * Where config.yml lives: `$CORRAL_CONF` when it names a .yml/.yaml file, `$CORRAL_CONF/config.yml`
 * when it names a directory (like LXD_CONF), else `~/.config/corral/config.yml`.
 */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const conf = env.CORRAL_CONF
  if (conf) return /\.ya?ml$/.test(conf) ? conf : path.join(conf, 'config.yml')
  return path.join(env.HOME || os.homedir(), '.config', 'corral', 'config.yml')
}

/** Reads config.yml, or the default config when the file does not exist. */
export async function loadConfig(file: string): Promise<ClientConfig> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return defaultConfig()
    throw err
  }
  const { parse } = await import('yaml')
  const parsed = (parse(text) ?? {}) as Partial<ClientConfig>
  const base = defaultConfig()
  return {
    ...parsed,
    'default-remote': parsed['default-remote'] || base['default-remote'],
    remotes: { ...base.remotes, ...(parsed.remotes ?? {}) },
    aliases: parsed.aliases ?? {},
  }
}

const remoteFields = ['addr', 'auth_type', 'domain', 'project', 'protocol', 'public']

/** Writes config.yml atomically (mode 0600, directory 0700), in lxc's field order. */
export async function saveConfig(file: string, config: ClientConfig): Promise<void> {
  const remotes: Record<string, unknown> = {}
  for (const [name, r] of Object.entries(config.remotes)) {
    const clean = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined && v !== ''))
    remotes[name] = struct({ public: false, ...clean }, remoteFields)
  }
  const doc = struct({ ...config, remotes }, ['default-remote', 'remotes', 'aliases'])
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  const tmp = `${file}.${process.pid}.tmp`
  await fs.writeFile(tmp, toYaml(doc), { mode: 0o600 })
  await fs.rename(tmp, file)
}

/** Splits `[<remote>:]<name>`; throws lxc's message for an unknown remote. */
export function splitRemote(config: ClientConfig, arg: string): { remote: string; name: string } {
  const at = arg.indexOf(':')
  if (at < 0) return { remote: config['default-remote'], name: arg }
  const remote = arg.slice(0, at)
  if (!(remote in config.remotes)) throw new Error(`The remote "${remote}" doesn't exist`)
  return { remote, name: arg.slice(at + 1) }
}

/** Remotes that ship with the client and can be neither removed, renamed nor re-pointed (lxc's static remotes). */
export const staticRemotes: readonly string[] = ['local']

/** The directory that holds config.yml, client.crt/.key and servercerts/ (lxc's LXD_CONF). */
export function configDir(configFile: string): string {
  return path.dirname(configFile)
}
