/** @module `init --preseed`: LXD's preseed YAML, checked against the server up front, applied with undo. */
import type { ProfilesPost, ProjectsPost, StoragePoolsPost } from '@corral/api'
import type { Client } from '@corral/client'
import { mapOrEmpty, struct } from '../../render/go-value.js'
import { toYaml } from '../../render/yaml.js'

/** One network of a preseed (api.InitNetworksProjectPost). */
export interface NetworkSeed {
  name: string
  type: string
  description: string
  config: Record<string, string>
  /** The project the network is created in (`default` when empty). */
  project: string
}

/** The preseed document (api.InitLocalPreseed; clustering is not supported). */
export interface Preseed {
  config: Record<string, string>
  networks: NetworkSeed[]
  storage_pools: StoragePoolsPost[]
  profiles: ProfilesPost[]
  projects: ProjectsPost[]
}

/** An empty preseed. */
export const emptyPreseed = (): Preseed => ({
  config: {},
  networks: [],
  storage_pools: [],
  profiles: [],
  projects: [],
})

/** A preseed the server refuses, or that cannot be read. */
export class PreseedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PreseedError'
  }
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)
const isEmpty = (v: unknown): boolean => v === undefined || v === null || v === ''

function mapping(v: unknown, where: string): Obj {
  if (isEmpty(v)) return {}
  if (!isObj(v)) throw new PreseedError(`Failed to parse the preseed: ${where} must be a mapping`)
  return v
}

function onlyKeys(v: Obj, keys: readonly string[], where: string): void {
  for (const k of Object.keys(v))
    if (!keys.includes(k))
      throw new PreseedError(`Failed to parse the preseed: unknown key "${k}" in ${where}`)
}

function strings(v: unknown, where: string): Record<string, string> {
  const m = mapping(v, where)
  const out: Record<string, string> = {}
  for (const [k, x] of Object.entries(m)) {
    if (isObj(x) || Array.isArray(x))
      throw new PreseedError(`Failed to parse the preseed: ${where}.${k} must be a string`)
    out[k] = typeof x === 'string' ? x : ''
  }
  return out
}

function str(v: unknown, where: string): string {
  if (isEmpty(v)) return ''
  if (typeof v !== 'string') throw new PreseedError(`Failed to parse the preseed: ${where} must be a string`)
  return v
}

function list(v: unknown, where: string): Obj[] {
  if (isEmpty(v)) return []
  if (!Array.isArray(v)) throw new PreseedError(`Failed to parse the preseed: ${where} must be a list`)
  return v.map((x, i) => mapping(x, `${where}[${i}]`))
}

function named(entries: { name: string }[], where: string): void {
  const seen = new Set<string>()
  entries.forEach((e, i) => {
    if (e.name === '') throw new PreseedError(`Invalid preseed: ${where}[${i}] has no name`)
    if (seen.has(e.name)) throw new PreseedError(`Invalid preseed: ${where} lists "${e.name}" twice`)
    seen.add(e.name)
  })
}

/** Reads preseed YAML as go-yaml decodes it into api.InitPreseed (scalars as strings); unknown keys are refused. */
export async function parsePreseed(text: string): Promise<Preseed> {
  const { parse } = await import('yaml')
  let doc: unknown
  try {
    doc = parse(text, { schema: 'failsafe' })
  } catch (err) {
    throw new PreseedError(`Failed to parse the preseed: ${err instanceof Error ? err.message : String(err)}`)
  }
  const top = mapping(doc, 'the document')
  onlyKeys(top, ['config', 'networks', 'storage_pools', 'profiles', 'projects', 'cluster'], 'the document')
  if (!isEmpty(top.cluster)) throw new PreseedError('Invalid preseed: clustering is not supported')
  const seed: Preseed = {
    config: strings(top.config, 'config'),
    networks: list(top.networks, 'networks').map((n, i) => {
      const w = `networks[${i}]`
      onlyKeys(n, ['name', 'type', 'description', 'config', 'project'], w)
      return {
        name: str(n.name, `${w}.name`),
        type: str(n.type, `${w}.type`),
        description: str(n.description, `${w}.description`),
        config: strings(n.config, `${w}.config`),
        project: str(n.project, `${w}.project`) || 'default',
      }
    }),
    storage_pools: list(top.storage_pools, 'storage_pools').map((p, i) => {
      const w = `storage_pools[${i}]`
      onlyKeys(p, ['name', 'driver', 'description', 'config'], w)
      return {
        name: str(p.name, `${w}.name`),
        driver: str(p.driver, `${w}.driver`),
        description: str(p.description, `${w}.description`),
        config: strings(p.config, `${w}.config`),
      }
    }),
    profiles: list(top.profiles, 'profiles').map((p, i) => {
      const w = `profiles[${i}]`
      onlyKeys(p, ['name', 'description', 'config', 'devices'], w)
      const devices = Object.fromEntries(
        Object.entries(mapping(p.devices, `${w}.devices`)).map(([d, v]) => [
          d,
          strings(v, `${w}.devices.${d}`),
        ]),
      )
      return {
        name: str(p.name, `${w}.name`),
        description: str(p.description, `${w}.description`),
        config: strings(p.config, `${w}.config`),
        devices,
      }
    }),
    projects: list(top.projects, 'projects').map((p, i) => {
      const w = `projects[${i}]`
      onlyKeys(p, ['name', 'description', 'config'], w)
      return {
        name: str(p.name, `${w}.name`),
        description: str(p.description, `${w}.description`),
        config: strings(p.config, `${w}.config`),
      }
    }),
  }
  named(seed.networks, 'networks')
  named(seed.storage_pools, 'storage_pools')
  named(seed.profiles, 'profiles')
  named(seed.projects, 'projects')
  return seed
}

/** What the server has before the preseed is applied. */
interface Existing {
  pools: Map<string, string>
  networks: Set<string>
  profiles: Set<string>
  projects: Set<string>
}

async function existing(client: Client): Promise<Existing> {
  const [pools, networks, profiles, projects] = await Promise.all([
    client.storagePools.list(),
    client.networks.list(),
    client.profiles.list(),
    client.projects.list(),
  ])
  return {
    pools: new Map(pools.map((p) => [p.name, p.driver])),
    networks: new Set(networks.filter((n) => n.managed).map((n) => n.name)),
    profiles: new Set(profiles.map((p) => p.name)),
    projects: new Set(projects.map((p) => p.name)),
  }
}

/** Checks a preseed against the server before anything changes: drivers, and the pools and networks devices use. */
export async function checkPreseed(client: Client, seed: Preseed): Promise<void> {
  const have = await existing(client)
  for (const p of seed.storage_pools) {
    const driver = have.pools.get(p.name)
    if (driver === undefined && p.driver === '')
      throw new PreseedError(`Invalid preseed: storage pool "${p.name}" has no driver`)
    if (driver !== undefined && p.driver !== '' && driver !== p.driver)
      throw new PreseedError(`Storage pool "${p.name}" is of type "${driver}" instead of "${p.driver}"`)
  }
  const pools = new Set([...have.pools.keys(), ...seed.storage_pools.map((p) => p.name)])
  const networks = new Set([...have.networks, ...seed.networks.map((n) => n.name)])
  const projects = new Set([...have.projects, ...seed.projects.map((p) => p.name)])
  for (const n of seed.networks)
    if (!projects.has(n.project))
      throw new PreseedError(
        `Invalid preseed: network "${n.name}" is in project "${n.project}", which does not exist`,
      )
  for (const p of seed.profiles) {
    for (const [name, d] of Object.entries(p.devices)) {
      if (!have.profiles.has(p.name) && !d.type)
        throw new PreseedError(`Invalid preseed: device "${name}" of profile "${p.name}" has no type`)
      if (d.type === 'disk' && d.pool && !pools.has(d.pool))
        throw new PreseedError(
          `Invalid preseed: device "${name}" of profile "${p.name}" uses storage pool "${d.pool}", which does not exist`,
        )
      if (d.type === 'nic' && d.network && !networks.has(d.network))
        throw new PreseedError(
          `Invalid preseed: device "${name}" of profile "${p.name}" uses network "${d.network}", which does not exist`,
        )
    }
  }
}

const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/** Applies a preseed as `lxd init` does (create or merge, in LXD's order); on failure undoes what it did. */
export async function applyPreseed(client: Client, seed: Preseed): Promise<void> {
  const undo: (() => Promise<unknown>)[] = []
  const step = async (message: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run()
    } catch (err) {
      throw new Error(`${message}: ${errText(err)}`, { cause: err })
    }
  }
  try {
    if (Object.keys(seed.config).length > 0) {
      const { server, etag } = await client.server.get()
      const before = { config: { ...server.config } }
      await step('Failed to update server configuration', () =>
        client.server.put({ config: { ...server.config, ...seed.config } }, etag),
      )
      undo.push(() => client.server.put(before))
    }
    const pools = new Set((await client.storagePools.list()).map((p) => p.name))
    for (const p of seed.storage_pools) {
      if (!pools.has(p.name)) {
        await step(`Failed to create storage pool "${p.name}"`, () => client.storagePools.create(p))
        undo.push(() => client.storagePools.delete(p.name))
        continue
      }
      const { pool, etag } = await client.storagePools.get(p.name)
      const put = {
        config: { ...pool.config, ...p.config },
        description: p.description || pool.description,
      }
      await step(`Failed to update storage pool "${p.name}"`, () =>
        client.storagePools.put(p.name, put, etag),
      )
      undo.push(() => client.storagePools.put(p.name, { config: pool.config, description: pool.description }))
    }
    const applyNetwork = async (n: NetworkSeed): Promise<void> => {
      const c = client.withProject(n.project)
      const where = `network "${n.name}" in project "${n.project}"`
      const current = await c.networks.get(n.name).catch(() => undefined)
      if (!current) {
        const body = { name: n.name, type: n.type, description: n.description, config: n.config }
        await step(`Failed to create local member ${where}`, () => c.networks.create(body))
        undo.push(() => c.networks.delete(n.name))
        return
      }
      const { network, etag } = current
      const put = {
        config: { ...network.config, ...n.config },
        description: n.description || network.description,
      }
      await step(`Failed to update local member ${where}`, () => c.networks.put(n.name, put, etag))
      undo.push(() => c.networks.put(n.name, { config: network.config, description: network.description }))
    }
    for (const n of seed.networks) if (n.project === 'default') await applyNetwork(n)
    const projects = new Set((await client.projects.list()).map((p) => p.name))
    for (const p of seed.projects) {
      if (!projects.has(p.name)) {
        await step(`Failed to create local member project "${p.name}"`, () => client.projects.create(p))
        undo.push(() => client.projects.delete(p.name))
        continue
      }
      const { project, etag } = await client.projects.get(p.name)
      const put = {
        config: { ...project.config, ...p.config },
        description: p.description || project.description,
      }
      await step(`Failed to update local member project "${p.name}"`, () =>
        client.projects.put(p.name, put, etag),
      )
      undo.push(() =>
        client.projects.put(p.name, { config: project.config, description: project.description }),
      )
    }
    for (const n of seed.networks) if (n.project !== 'default') await applyNetwork(n)
    const profiles = new Set((await client.profiles.list()).map((p) => p.name))
    for (const p of seed.profiles) {
      if (!profiles.has(p.name)) {
        await step(`Failed to create profile "${p.name}"`, () => client.profiles.create(p))
        undo.push(() => client.profiles.delete(p.name))
        continue
      }
      const { profile, etag } = await client.profiles.get(p.name)
      const devices = { ...profile.devices }
      for (const [d, keys] of Object.entries(p.devices)) devices[d] = { ...devices[d], ...keys }
      const put = {
        config: { ...profile.config, ...p.config },
        description: p.description || profile.description,
        devices,
      }
      await step(`Failed to update profile "${p.name}"`, () => client.profiles.put(p.name, put, etag))
      undo.push(() =>
        client.profiles.put(p.name, {
          config: profile.config,
          description: profile.description,
          devices: profile.devices,
        }),
      )
    }
  } catch (err) {
    for (const u of undo.reverse()) await u().catch(() => undefined)
    throw err
  }
}

/** The preseed as go-yaml prints api.InitLocalPreseed (`--dump`, and the interactive mode's YAML). */
export function preseedYaml(seed: Preseed): string {
  const doc = struct(
    {
      config: seed.config,
      networks: seed.networks.map((n) =>
        struct(n, ['config', 'description', 'name', 'type', 'project'], { config: mapOrEmpty }),
      ),
      storage_pools: seed.storage_pools.map((p) =>
        struct(p, ['config', 'description', 'name', 'driver'], { config: mapOrEmpty }),
      ),
      profiles: seed.profiles.map((p) =>
        struct(p, ['config', 'description', 'devices', 'name'], { config: mapOrEmpty, devices: mapOrEmpty }),
      ),
      projects: seed.projects.map((p) =>
        struct(p, ['config', 'description', 'name'], { config: mapOrEmpty }),
      ),
    },
    ['config', 'networks', 'storage_pools', 'profiles', 'projects'],
    { config: mapOrEmpty },
  )
  return toYaml(doc)
}
