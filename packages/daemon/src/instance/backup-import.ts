/**
 * @module Importing a backup tarball as a new instance with its snapshots. Everything is checked
 * before anything is stored: the archive's members (backup-archive.ts), its index, the instance
 * and each snapshot through validateInstance in the caller's project; only then are volumes made.
 */
import { randomUUID } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { badRequest, conflict } from '@corral/api'
import { parse } from 'yaml'
import * as db from '../db/instances.js'
import { getProject } from '../db/projects.js'
import { getStoragePool } from '../db/storage-pools.js'
import { entityUrl, publishLifecycle } from '../events/lifecycle.js'
import { unpackFlags } from '../image/index.js'
import { architectureNames } from '../image/metadata.js'
import { listTar, readMember } from '../image/tar.js'
import type { StagedUpload } from '../image/upload.js'
import { checkSnapshotsAllowed, checkVolatileKeys } from '../project/restrictions.js'
import type { State } from '../state.js'
import { loadPool } from '../storage/index.js'
import { createVolumePrivately, realFs } from '../storage/recovery.js'
import { poolDriver } from '../storage/volume-copy.js'
import { snapshotsDir, volumeName } from '../storage/volumes.js'
import { isTrue } from '../config/validate.js'
import { devicesWithoutEmpty, withoutEmpty } from '../util/config-map.js'
import { validateInstanceName } from '../util/names.js'
import { Reverter } from '../util/revert.js'
import { checkBackupMembers, type BackupLayout } from './backup-archive.js'
import { rootDisk } from './expand.js'
import { allocateIdmap, releaseRange, reserveRange } from './idmap-alloc.js'
import { containerRow, protectVolume, type Caller, type NewInstanceFields } from './lifecycle.js'
import { expandedOf, validateInstance } from './service.js'

/** What the client may choose besides the file (X-LXD-name, X-LXD-pool). */
export interface ImportOptions {
  name: string
  pool: string
}

/** One snapshot the backup carries, as it will be stored. */
interface ImportedSnapshot {
  name: string
  description: string
  config: Record<string, string>
  devices: Record<string, Record<string, string>>
  profiles: string[]
  created_at: string
}

/** A backup that passed every check, ready to be stored. */
export interface CheckedImport extends NewInstanceFields {
  staged: StagedUpload
  layout: BackupLayout
  pool: string
  architecture: string
  snapshots: ImportedSnapshot[]
}

const refuse = (why: string) => badRequest(`Invalid backup: ${why}`)

function objectOf(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw refuse(`${what} must be a map`)
  return v as Record<string, unknown>
}

function stringOf(v: unknown, what: string): string {
  if (v === undefined || v === null) return ''
  if (typeof v !== 'string') throw refuse(`${what} must be a string`)
  return v
}

function stringMap(v: unknown, what: string): Record<string, string> {
  if (v === undefined || v === null) return {}
  const o = objectOf(v, what)
  for (const [k, val] of Object.entries(o))
    if (typeof val !== 'string') throw refuse(`${what} "${k}" must be a string`)
  return o as Record<string, string>
}

function devicesOf(v: unknown, what: string): Record<string, Record<string, string>> {
  if (v === undefined || v === null) return {}
  return Object.fromEntries(
    Object.entries(objectOf(v, what)).map(([k, d]) => [k, stringMap(d, `${what} "${k}"`)]),
  )
}

function stringList(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw refuse(`${what} must be a list of strings`)
  return v as string[]
}

/** Only the base image of the volatile keys survives: the rest (UUID, MACs, idmap) is the new instance's own. */
const ownConfig = (c: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(c).filter(([k]) => !k.startsWith('volatile.') || k === 'volatile.base_image'),
  )

/** The root disk of `devices` on `pool`: the local one rewritten, or a local one added when the profiles' differs. */
function onPool(
  state: State,
  project: string,
  profiles: string[],
  devices: Record<string, Record<string, string>>,
  pool: string,
): Record<string, Record<string, string>> {
  const local = rootDisk(devices)
  if (local) return { ...devices, [local[0]]: { ...local[1], pool } }
  const inherited = rootDisk(expandedOf(state, { project, profiles, config: {}, devices }).devices)
  if (inherited?.[1].pool === pool) return devices
  return { ...devices, [inherited?.[0] ?? 'root']: { type: 'disk', path: '/', pool } }
}

/** Checks an uploaded backup against the caller's project; on failure the upload is discarded. */
export async function checkImport(
  state: State,
  staged: StagedUpload,
  opts: ImportOptions,
  caller: Caller,
): Promise<CheckedImport> {
  try {
    const layout = checkBackupMembers(await listTar(state, staged.metadata))
    let doc: Record<string, unknown>
    try {
      doc = objectOf(parse(await readMember(state, staged.metadata, layout.index)), 'index.yaml')
    } catch (err) {
      throw err instanceof Error && err.message.startsWith('Invalid backup')
        ? err
        : refuse('index.yaml is not YAML')
    }
    const type = stringOf(doc.type, 'type')
    if (type !== '' && type !== 'container') throw refuse(`type "${type}" is not supported (only containers)`)
    const config = objectOf(doc.config, 'config')
    const container = objectOf(config.container, 'config.container')
    const project = stringOf(container.project, 'config.container.project')
    if (project !== '' && project !== caller.project)
      throw refuse(`it belongs to project "${project}", not "${caller.project}"`)
    const name = opts.name || stringOf(doc.name, 'name')
    validateInstanceName(name)
    if (db.listInstances(state.db, caller.project).some((i) => i.name === name))
      throw conflict(`Instance "${name}" already exists`)
    const indexPool = stringOf(doc.pool, 'pool')
    const pool = opts.pool || indexPool
    if (!pool) throw refuse('no storage pool named; choose one with --storage')
    try {
      getStoragePool(state.db, pool)
    } catch {
      throw refuse(
        `storage pool "${pool}" named by the backup is not on this server; choose one with --storage`,
      )
    }
    const architecture = stringOf(container.architecture, 'architecture') || 'x86_64'
    if (!architectureNames.has(architecture)) throw refuse(`architecture "${architecture}" is not supported`)
    const profiles = stringList(container.profiles, 'profiles')
    const own = withoutEmpty(ownConfig(stringMap(container.config, 'config.container.config')))
    const devices = onPool(
      state,
      caller.project,
      profiles,
      devicesWithoutEmpty(devicesOf(container.devices, 'config.container.devices')),
      pool,
    )
    const check = (content: {
      config: Record<string, string>
      devices: typeof devices
      profiles: string[]
    }) => {
      checkVolatileKeys(getProject(state.db, caller.project), name, content.config)
      return validateInstance(state, { project: caller.project, name, ...content })
    }
    const expanded = check({ config: own, devices, profiles })
    // Each snapshot's config is what a restore would make live: it passes the same checks.
    const listed = stringList(doc.snapshots, 'snapshots')
    const entries = Array.isArray(config.snapshots) ? config.snapshots : []
    const snapshots = layout.snapshots.map((snapName): ImportedSnapshot => {
      if (!listed.includes(snapName)) throw refuse(`snapshot "${snapName}" is not in the index`)
      const entry = entries
        .map((e, i) => objectOf(e, `config.snapshots[${i}]`))
        .find((e) => stringOf(e.name, 'snapshot name').split('/').pop() === snapName)
      if (!entry) throw refuse(`snapshot "${snapName}" has no config`)
      const snapProfiles = stringList(entry.profiles, `snapshot "${snapName}" profiles`)
      const snapConfig = withoutEmpty(ownConfig(stringMap(entry.config, `snapshot "${snapName}" config`)))
      const snapDevices = onPool(
        state,
        caller.project,
        snapProfiles,
        devicesWithoutEmpty(devicesOf(entry.devices, `snapshot "${snapName}" devices`)),
        pool,
      )
      check({ config: snapConfig, devices: snapDevices, profiles: snapProfiles })
      const created = stringOf(entry.created_at, 'created_at')
      return {
        name: snapName,
        description: stringOf(entry.description, 'description'),
        config: snapConfig,
        devices: snapDevices,
        profiles: snapProfiles,
        created_at:
          created && !Number.isNaN(Date.parse(created))
            ? new Date(created).toISOString()
            : new Date().toISOString(),
      }
    })
    for (const s of listed)
      if (!layout.snapshots.includes(s))
        throw refuse(`snapshot "${s}" is in the index but not in the archive`)
    if (snapshots.length > 0) checkSnapshotsAllowed(getProject(state.db, caller.project))
    if (!isTrue(expanded.config['security.privileged'])) await state.idmap.require()
    return {
      staged,
      layout,
      name,
      pool,
      architecture,
      description: stringOf(container.description, 'description'),
      ephemeral: container.ephemeral === true,
      config: own,
      devices,
      profiles,
      snapshots,
    }
  } catch (err) {
    await staged.discard()
    throw err
  }
}

/** Extracts one volume of the archive into `target` (an empty volume), owners, modes and xattrs kept. */
async function extractVolume(
  state: State,
  checked: CheckedImport,
  volume: string,
  target: string,
): Promise<void> {
  const depth = volume.split('/').length + 1 + (checked.layout.dotted ? 1 : 0)
  await state.host.run(
    'sh',
    [
      '-c',
      'umask 022 && exec tar "$@"',
      'tar',
      ...unpackFlags,
      '--no-wildcards',
      `--strip-components=${depth}`,
      '-C',
      target,
      '-xf',
      checked.staged.metadata,
      '--',
      `backup/${volume}`,
    ],
    { timeoutMs: 3_600_000 },
  )
}

/** Stores a checked backup: snapshot volumes, the instance volume, then the rows; undone on failure. */
export async function importBackup(
  state: State,
  checked: CheckedImport,
  caller: Caller,
): Promise<db.InstanceRecord> {
  const project = caller.project
  const { name } = checked
  const revert = new Reverter()
  const reservation = `${project}/${name}`
  revert.add(() => releaseRange(reservation))
  try {
    if (db.listInstances(state.db, project).some((i) => i.name === name))
      throw conflict(`Instance "${name}" already exists`)
    const expanded = validateInstance(state, {
      project,
      name,
      profiles: checked.profiles,
      config: checked.config,
      devices: checked.devices,
    })
    const { map: idmap, base } = allocateIdmap(
      state,
      { project, name, expanded: expanded.config, volatile: {} },
      (i) => expandedOf(state, i).config,
    )
    if (base > 0) reserveRange(reservation, { base, size: idmap[0]!.Maprange })
    const pool = loadPool(state, checked.pool)
    const { driver, ctx } = poolDriver(state, checked.pool)
    // A volume with no instance row is a leftover of a killed create: it makes way.
    await pool.deleteInstance(project, name)
    revert.add(() => pool.deleteInstance(project, name))
    if (checked.snapshots.length > 0)
      await mkdir(snapshotsDir(ctx.mountPath, project, name), { recursive: true, mode: 0o700 })
    for (const s of checked.snapshots) {
      const path = pool.snapshotPath(project, name, s.name)
      await driver.createVolume(ctx, path)
      await extractVolume(state, checked, `snapshots/${s.name}`, path)
      await driver.setReadOnly(ctx, path)
    }
    await createVolumePrivately(
      { driver, ctx, fs: realFs, dir: join(ctx.mountPath, 'containers') },
      volumeName(project, name),
      (dir) => extractVolume(state, checked, 'container', dir),
    )
    protectVolume(pool.instancePath(project, name), idmap)
    const inst = db.createInstance(
      state.db,
      containerRow(project, checked, checked.architecture, checked.pool, {
        ...checked.config,
        'volatile.uuid': randomUUID(),
        'volatile.idmap.base': String(base),
        'volatile.idmap.next': JSON.stringify(idmap),
        'volatile.last_state.idmap': '[]',
      }),
    )
    revert.add(() => db.deleteInstance(state.db, inst.id))
    for (const s of checked.snapshots) db.createSnapshot(state.db, { ...inst, ...s }, s.name, s.created_at)
    revert.success()
    releaseRange(reservation)
    publishLifecycle(state.events, 'instance-created', entityUrl(`/1.0/instances/${name}`, project), {
      project,
      requestor: caller.requestor,
    })
    return inst
  } finally {
    await revert.fail()
    await checked.staged.discard()
  }
}
