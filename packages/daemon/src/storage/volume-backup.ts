/**
 * @module Custom volume backups (`lxc storage volume export|import`) in LXD's layout: a gzip
 * tarball of `backup/index.yaml`, `backup/volume/` and `backup/volume-snapshots/<name>/`, owners
 * numeric and unshifted, as on disk. Backups are kept as files under `<state>/backups/custom`
 * (root only) until deleted. An import is checked before anything is extracted: only regular
 * files, directories and links below `backup/`, so an archive cannot plant device nodes or
 * reach outside its staging directory.
 */
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { chmod, lstat, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ApiError, badRequest, notFound } from '@corral/api'
import { parse, stringify } from 'yaml'
import { getProject } from '../db/projects.js'
import { checkMembers as checkImageMembers, listTar, normalizeMember } from '../image/tar.js'
import * as db from '../db/storage-volumes.js'
import { publishLifecycle, type LifecycleOptions } from '../events/lifecycle.js'
import { isRestricted, restriction } from '../project/restrictions.js'
import type { State } from '../state.js'
import { Reverter } from '../util/revert.js'
import {
  createCustomVolume,
  deleteCustomVolume,
  loadVolumePool,
  validateCreateVolume,
  volumeProjectOf,
} from './custom-volumes.js'
import {
  customSnapshotPath,
  customSnapshotsDir,
  customVolumeName,
  customVolumePath,
  validateVolumeName,
} from './volume-path.js'

/** Where a volume's backups are kept: `<state>/backups/custom/<pool>/<project>_<volume>/`. */
function backupDir(state: State, vol: db.VolumeRecord): string {
  return join(state.paths.dir, 'backups', 'custom', vol.pool, customVolumeName(vol.project, vol.name))
}

/** A backup file's path (the name is validated: it is a path component). */
export function backupPath(state: State, vol: db.VolumeRecord, name: string): string {
  validateVolumeName(name, 'Backup')
  return join(backupDir(state, vol), `${name}.tar.gz`)
}

/** The names of a volume's backups. */
export async function listBackups(state: State, vol: db.VolumeRecord): Promise<string[]> {
  const entries = await readdir(backupDir(state, vol)).catch(() => [] as string[])
  return entries
    .filter((e) => e.endsWith('.tar.gz'))
    .map((e) => e.slice(0, -'.tar.gz'.length))
    .sort()
}

/** The path of an existing backup (404 otherwise). */
export async function existingBackup(state: State, vol: db.VolumeRecord, name: string): Promise<string> {
  const path = backupPath(state, vol, name)
  if (!(await stat(path).catch(() => undefined))) throw notFound('Storage volume backup not found')
  return path
}

/** Refuses backups in a restricted project whose restricted.backups is `block` (LXD's default once restricted). */
export function checkBackupsAllowed(state: State, project: string): void {
  const p = getProject(state.db, project)
  if (isRestricted(p) && restriction(p, 'restricted.backups') === 'block')
    throw new ApiError(403, `Project "${p.name}" doesn't allow for backup creation`)
}

/** The next free `backup<N>` name. */
export async function nextBackupName(state: State, vol: db.VolumeRecord): Promise<string> {
  const taken = new Set(await listBackups(state, vol))
  for (let i = 0; ; i++) if (!taken.has(`backup${i}`)) return `backup${i}`
}

/** Binds `source` read-only at `target` (a staging path of ours) for tar to read. */
async function bindReadOnly(state: State, source: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true, mode: 0o700 })
  await state.host.run('mount', ['--bind', source, target])
  await state.host.run('mount', ['-o', 'remount,bind,ro', target])
}

/** Writes a volume (and its snapshots unless volumeOnly) into a new backup tarball. */
export async function createBackup(
  state: State,
  vol: db.VolumeRecord,
  name: string,
  volumeOnly: boolean,
  opts: LifecycleOptions,
): Promise<void> {
  const pool = loadVolumePool(state, vol.pool)
  const mount = pool.ctx.mountPath
  const file = backupPath(state, vol, name)
  if (await stat(file).catch(() => undefined)) throw new ApiError(409, `Backup "${name}" already exists`)
  const snapshots = volumeOnly ? [] : db.listVolumeSnapshots(state.db, vol.id)
  const index = {
    name: vol.name,
    backend: pool.driver.name,
    pool: vol.pool,
    snapshots: snapshots.map((s) => s.name),
    optimized: false,
    optimized_header: false,
    type: 'custom',
    config: {
      volume: {
        name: vol.name,
        description: vol.description,
        config: vol.config,
        type: 'custom',
        content_type: vol.contentType,
      },
      volume_snapshots: snapshots.map((s) => ({
        name: s.name,
        description: s.description,
        config: s.config,
        content_type: vol.contentType,
        created_at: s.created_at,
      })),
    },
  }
  await mkdir(backupDir(state, vol), { recursive: true, mode: 0o700 })
  await chmod(join(state.paths.dir, 'backups'), 0o700)
  const stage = join(state.paths.dir, 'backups', `.stage-${randomUUID()}`)
  const mounted: string[] = []
  try {
    await mkdir(join(stage, 'backup'), { recursive: true, mode: 0o700 })
    await writeFile(join(stage, 'backup', 'index.yaml'), stringify(index), { mode: 0o600 })
    const bind = async (source: string, target: string) => {
      mounted.push(target)
      await bindReadOnly(state, source, target)
    }
    await bind(customVolumePath(mount, vol.project, vol.name), join(stage, 'backup', 'volume'))
    for (const s of snapshots)
      await bind(
        customSnapshotPath(mount, vol.project, vol.name, s.name),
        join(stage, 'backup', 'volume-snapshots', s.name),
      )
    await state.host.run(
      'tar',
      ['-czf', `${file}.partial`, '--numeric-owner', '--xattrs', '--acls', '-C', stage, 'backup'],
      { timeoutMs: 3_600_000 },
    )
    await rename(`${file}.partial`, file)
  } finally {
    for (const target of mounted.reverse()) await state.host.run('umount', [target]).catch(() => undefined)
    await rm(`${file}.partial`, { force: true })
    // Only our own staging tree is left: every mount in it is gone, so a recursive remove stays in it.
    if (mounted.length === 0 || (await Promise.all(mounted.map((m) => isEmptyMountPoint(m)))).every(Boolean))
      await rm(stage, { recursive: true, force: true })
  }
  publishLifecycle(state.events, 'storage-volume-backup-created', backupUrl(vol, name), opts)
}

/** True once nothing is mounted at path any more (its directory is empty). */
async function isEmptyMountPoint(path: string): Promise<boolean> {
  return (await readdir(path).catch(() => [] as string[])).length === 0
}

const backupUrl = (vol: db.VolumeRecord, name: string) =>
  `/1.0/storage-pools/${vol.pool}/volumes/custom/${vol.name}/backups/${name}`

/** Deletes one backup file. */
export async function deleteBackup(
  state: State,
  vol: db.VolumeRecord,
  name: string,
  opts: LifecycleOptions,
): Promise<void> {
  await rm(await existingBackup(state, vol, name), { force: true })
  await rmdir(backupDir(state, vol)).catch(() => undefined)
  publishLifecycle(state.events, 'storage-volume-backup-deleted', backupUrl(vol, name), opts)
}

/** What an uploaded backup's index says. */
interface BackupIndex {
  name?: string
  snapshots?: string[]
  config?: {
    volume?: { description?: string; config?: Record<string, string>; content_type?: string }
    volume_snapshots?: { name?: string; description?: string; created_at?: string }[]
  }
}

/** Refuses an archive with anything but files, directories and links below backup/ (checked from tar's own listing). */
async function checkMembers(state: State, file: string): Promise<void> {
  const { stdout } = await state.host.run(
    'tar',
    ['-tvzf', file, '--numeric-owner', '--quoting-style=escape'],
    {
      timeoutMs: 3_600_000,
    },
  )
  for (const line of stdout.split('\n')) {
    if (line === '') continue
    const type = line[0]
    if (!type || !'-dlh'.includes(type))
      throw badRequest('Backup archives may hold only files, directories and links')
    const rest = /^\S+\s+\S+\s+\S+\s+\S+\s+\S+\s(.*)$/.exec(line)?.[1] ?? ''
    // Only a link's line carries a target; a file's whole rest is its name, whatever it contains.
    const sep = type === 'l' ? ' -> ' : type === 'h' ? ' link to ' : undefined
    const at = sep ? rest.indexOf(sep) : -1
    const name = at >= 0 ? rest.slice(0, at) : rest
    // A hard link's target is a member too; a symlink's may point anywhere (tar defers unsafe ones).
    for (const member of type === 'h' && at >= 0 ? [name, rest.slice(at + sep!.length)] : [name]) {
      const parts = member.split('/')
      if (parts[0] !== 'backup' || parts.includes('..') || member.startsWith('/'))
        throw badRequest(`Invalid backup archive member "${member}"`)
    }
  }
}

/** The members the volume backup layout fixes, with the type each must have. */
const layoutTypes: Record<string, string> = {
  backup: 'd',
  'backup/index.yaml': '-',
  'backup/volume': 'd',
  'backup/volume-snapshots': 'd',
}

/**
 * Holds the archive to the layout's types (a `backup/volume` symlink would make the copy below
 * read a host directory) and to the image rules: nothing below or replacing a symlink, hard
 * links only to earlier members and never through one.
 */
async function checkLayout(state: State, file: string): Promise<void> {
  const members = await listTar(state, file)
  for (const m of members) {
    const norm = normalizeMember(m.name)
    const want = layoutTypes[norm] ?? (/^backup\/volume-snapshots\/[^/]+$/.test(norm) ? 'd' : undefined)
    if (want !== undefined && m.type !== want)
      throw badRequest(`Invalid backup archive: member "${m.name}" has the wrong type`)
  }
  try {
    checkImageMembers(members, 'rootfs')
  } catch (err) {
    if (err instanceof ApiError)
      throw badRequest(`Invalid backup archive: ${err.message.replace(/^Image member/, 'member')}`)
    throw err
  }
}

/** Copies a tree into an existing volume path, owners and modes as they are; `from` must be a real directory. */
async function fill(state: State, from: string, to: string): Promise<void> {
  if (!(await lstat(from)).isDirectory())
    throw badRequest('Invalid backup archive: a volume is not a directory')
  await state.host.run('cp', ['-a', '--reflink=auto', `${from}/.`, `${to}/`], { timeoutMs: 3_600_000 })
}

/** Streams an uploaded backup into a new root-only work directory; returns the directory (the caller removes it). */
export async function receiveBackup(state: State, body: Readable): Promise<string> {
  const root = join(state.paths.dir, 'backups')
  await mkdir(root, { recursive: true, mode: 0o700 })
  await chmod(root, 0o700)
  const work = join(root, `.import-${randomUUID()}`)
  await mkdir(work, { mode: 0o700 })
  try {
    await pipeline(body, createWriteStream(join(work, 'upload.tar.gz'), { mode: 0o600 }))
  } catch (err) {
    await rm(work, { recursive: true, force: true })
    throw err
  }
  return work
}

/**
 * Creates a custom volume (with its snapshots) from a received backup tarball: its members are
 * checked, then it is extracted into the private work directory and copied in. Undone on
 * failure; the work directory is removed in any case.
 */
export async function importBackup(
  state: State,
  pool: string,
  requestProject: string,
  work: string,
  nameOverride: string,
  opts: LifecycleOptions,
): Promise<string> {
  const project = volumeProjectOf(state, requestProject)
  try {
    const file = join(work, 'upload.tar.gz')
    await checkMembers(state, file)
    await checkLayout(state, file)
    const tree = join(work, 'tree')
    await mkdir(tree, { mode: 0o700 })
    await state.host.run(
      'tar',
      ['-xzf', file, '-C', tree, '--numeric-owner', '--same-permissions', '--no-overwrite-dir'],
      {
        timeoutMs: 3_600_000,
      },
    )
    let index: BackupIndex
    try {
      index = parse(await readFile(join(tree, 'backup', 'index.yaml'), 'utf8')) as BackupIndex
    } catch {
      throw badRequest('The backup has no readable backup/index.yaml')
    }
    const name = nameOverride || index.name || ''
    const volume = index.config?.volume ?? {}
    const request = {
      name,
      description: volume.description ?? '',
      config: volume.config ?? {},
      contentType: volume.content_type ?? 'filesystem',
    }
    validateCreateVolume(state, pool, project, request)
    const snapshots = index.snapshots ?? []
    for (const s of snapshots) validateVolumeName(s, 'Storage volume snapshot')
    await createCustomVolume(state, pool, project, request, opts)
    const vol = db.getVolume(state.db, pool, project, name)
    const revert = new Reverter()
    revert.add(() => deleteCustomVolume(state, db.getVolume(state.db, pool, project, name), opts))
    try {
      const loaded = loadVolumePool(state, pool)
      const mount = loaded.ctx.mountPath
      if (snapshots.length > 0)
        await mkdir(customSnapshotsDir(mount, project, name), { recursive: true, mode: 0o700 })
      for (const s of snapshots) {
        const from = join(tree, 'backup', 'volume-snapshots', s)
        const to = customSnapshotPath(mount, project, name, s)
        await loaded.driver.createVolume(loaded.ctx, to)
        await fill(state, from, to)
        await loaded.driver.setReadOnly(loaded.ctx, to)
        const meta = index.config?.volume_snapshots?.find((m) => m.name === s)
        db.createVolumeSnapshot(state.db, {
          volumeId: vol.id,
          name: s,
          description: meta?.description ?? '',
          config: request.config,
          created_at: meta?.created_at ?? new Date().toISOString(),
          expires_at: '',
        })
      }
      await fill(state, join(tree, 'backup', 'volume'), customVolumePath(mount, project, name))
      revert.success()
    } finally {
      await revert.fail()
    }
    return name
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
