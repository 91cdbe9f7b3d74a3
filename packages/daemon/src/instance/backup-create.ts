/** @module Creating an instance backup: LXD's tarball (backup/index.yaml, backup/container/, backup/snapshots/<name>/), compressed. */
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { badRequest, forbidden } from '@corral/api'
import { stringify } from 'yaml'
import { compressionAlgorithms } from '../config/compression.js'
import { compressionFor } from '../config/compression-choice.js'
import * as db from '../db/instances.js'
import { getProject } from '../db/projects.js'
import { getStoragePool } from '../db/storage-pools.js'
import { entityUrl, publishLifecycle } from '../events/lifecycle.js'
import { isRestricted, restriction } from '../project/restrictions.js'
import type { State } from '../state.js'
import { loadPool } from '../storage/index.js'
import { poolDriver } from '../storage/volume-copy.js'
import { snapshotsDir } from '../storage/volumes.js'
import {
  backupsDir,
  listBackups,
  saveBackupRecord,
  validateBackupName,
  type BackupRecord,
} from './backup-files.js'
import type { Caller } from './lifecycle.js'
import { runtimeState } from './lxc/runtime.js'
import { toApiSnapshot } from './snapshots.js'
import { toApiInstance } from './wire.js'

/** What POST /1.0/instances/{name}/backups asks for, parsed. */
export interface BackupRequest {
  /** '' picks the next `backupN`. */
  name: string
  /** RFC 3339, '' for never. */
  expiresAt: string
  instanceOnly: boolean
  optimized: boolean
  /** '' for the server's backups.compression_algorithm. */
  compression: string
}

/** The next `backupN` after the highest one, as LXD names them. */
export function nextBackupName(existing: readonly string[]): string {
  let next = 0
  for (const n of existing) {
    const m = /^backup(\d+)/.exec(n)
    if (m && Number(m[1]) >= next) next = Number(m[1]) + 1
  }
  return `backup${next}`
}

/** Refuses backups in a project that blocks them (restricted.backups), with LXD's message. */
export function checkBackupsAllowed(state: State, project: string): void {
  const p = getProject(state.db, project)
  if (isRestricted(p) && restriction(p, 'restricted.backups') === 'block')
    throw forbidden(`Project "${project}" doesn't allow for backup creation`)
}

/** Validates a backup request and fills its name; 4xx before any operation exists. */
export function validateBackup(state: State, inst: db.InstanceRecord, req: BackupRequest): BackupRequest {
  checkBackupsAllowed(state, inst.project)
  const existing = listBackups(state, inst.project, inst.name).map((b) => b.name)
  const name = req.name || nextBackupName(existing)
  validateBackupName(name)
  if (existing.includes(name)) throw badRequest(`Backup "${name}" already exists`)
  if (req.compression && !(compressionAlgorithms as readonly string[]).includes(req.compression))
    throw badRequest(`Unsupported compression algorithm "${req.compression}"`)
  if (req.expiresAt && Number.isNaN(Date.parse(req.expiresAt)))
    throw badRequest(`Invalid value for field "expires_at": "${req.expiresAt}"`)
  if (req.optimized && poolDriver(state, inst.pool).driver.copyOnWrite)
    throw badRequest(
      `Optimized backups of "${poolDriver(state, inst.pool).driver.name}" pools are not supported; export without --optimized-storage`,
    )
  return { ...req, name }
}

const tarFlags = ['--numeric-owner', '--xattrs', '--xattrs-include=*', '--sparse']

/**
 * Appends a volume's content under `prefix` (its `./` becomes the prefix; symlink targets are left
 * as they are). A live source may change while it is read: tar's "file changed" (exit 1) is kept.
 */
async function appendVolume(state: State, tarFile: string, volume: string, prefix: string, live: boolean) {
  // \x01 never appears in a prefix (snapshot names have no control characters); & and \ are sed's own.
  const args = [
    ...tarFlags,
    '-rf',
    tarFile,
    '-C',
    volume,
    `--transform=s\x01^\\.\x01${prefix.replace(/[\\&]/g, '\\$&')}\x01S`,
    '.',
  ]
  const script = live ? 'tar "$@"; s=$?; [ "$s" -eq 1 ] && exit 0; exit "$s"' : 'exec tar "$@"'
  await state.host.run('sh', ['-c', script, 'sh', ...args], { timeoutMs: 3_600_000 })
}

/** The instance's config as LXD keeps it in backup.yaml (and embeds in index.yaml). */
async function backupConfig(state: State, inst: db.InstanceRecord, snaps: db.SnapshotRecord[]) {
  const pool = getStoragePool(state.db, inst.pool)
  const run = await runtimeState(state, inst)
  return {
    container: toApiInstance(state, inst, run),
    ...(snaps.length > 0 ? { snapshots: snaps.map((s) => toApiSnapshot(state, inst, s)) } : {}),
    pool: { name: pool.name, driver: pool.driver, description: pool.description, config: pool.config },
    volume: { name: inst.name, type: 'container', content_type: 'filesystem', config: {}, description: '' },
  }
}

/** The index LXD writes first in every backup (backup.Info with its embedded config). */
function indexYaml(
  inst: db.InstanceRecord,
  snaps: db.SnapshotRecord[],
  optimized: boolean,
  config: Awaited<ReturnType<typeof backupConfig>>,
): string {
  return stringify({
    name: inst.name,
    backend: config.pool.driver,
    pool: config.pool.name,
    ...(snaps.length > 0 ? { snapshots: snaps.map((s) => s.name) } : {}),
    optimized,
    optimized_header: false,
    type: 'container',
    config,
  })
}

/** Writes the backup's tarball and record; nothing is left behind on failure. */
export async function createBackup(
  state: State,
  inst: db.InstanceRecord,
  request: BackupRequest,
  caller: Caller,
): Promise<void> {
  const req = validateBackup(state, inst, request)
  const snaps = req.instanceOnly ? [] : db.listSnapshots(state.db, inst.id)
  const pool = loadPool(state, inst.pool)
  const { driver, ctx } = poolDriver(state, inst.pool)
  const dir = backupsDir(state, inst.project, inst.name)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const work = join(dir, `.work-${randomUUID()}`)
  await mkdir(join(work, 'backup'), { recursive: true, mode: 0o700 })
  let frozen: string | undefined
  try {
    const live = (await runtimeState(state, inst)).status !== 'Stopped'
    let source = pool.instancePath(inst.project, inst.name)
    // A copy-on-write pool gives a consistent read-only view of a running instance at once.
    if (live && driver.copyOnWrite) {
      frozen = join(snapshotsDir(ctx.mountPath, inst.project, inst.name), `.backup-${randomUUID()}`)
      await mkdir(snapshotsDir(ctx.mountPath, inst.project, inst.name), { recursive: true, mode: 0o700 })
      await driver.copyVolume(ctx, source, frozen, { readOnly: true })
      source = frozen
    }
    const config = await backupConfig(state, inst, snaps)
    await writeFile(join(work, 'backup', 'index.yaml'), indexYaml(inst, snaps, req.optimized, config), {
      mode: 0o600,
    })
    // LXD keeps backup.yaml in the instance volume and reads it back on import; ours is written here.
    await mkdir(join(work, 'backup', 'container'), { mode: 0o700 })
    await writeFile(join(work, 'backup', 'container', 'backup.yaml'), stringify(config), { mode: 0o600 })
    const tarFile = join(work, 'backup.tar')
    await state.host.run('tar', [...tarFlags, '-cf', tarFile, '-C', work, 'backup/index.yaml'])
    for (const s of snaps)
      await appendVolume(
        state,
        tarFile,
        pool.snapshotPath(inst.project, inst.name, s.name),
        `backup/snapshots/${s.name}`,
        false,
      )
    await appendVolume(state, tarFile, source, 'backup/container', live && !frozen)
    await state.host.run('tar', [...tarFlags, '-rf', tarFile, '-C', work, 'backup/container/backup.yaml'])
    const algorithm = compressionFor(state, inst.project, 'backups.compression_algorithm', req.compression)
    const out = join(work, 'out')
    if (algorithm === 'none') await rename(tarFile, out)
    else
      await state.host.run('sh', ['-c', 'exec "$1" -c < "$2" > "$3"', 'sh', algorithm, tarFile, out], {
        timeoutMs: 3_600_000,
      })
    if (existsSync(join(dir, req.name))) throw badRequest(`Backup "${req.name}" already exists`)
    await rename(out, join(dir, req.name))
    const record: BackupRecord = {
      name: req.name,
      created_at: new Date().toISOString(),
      expires_at: req.expiresAt,
      instance_only: req.instanceOnly,
      optimized_storage: req.optimized,
      compression: algorithm,
    }
    try {
      await saveBackupRecord(state, inst.project, inst.name, record)
    } catch (err) {
      await rm(join(dir, req.name), { force: true })
      throw err
    }
  } finally {
    if (frozen) await driver.deleteVolume(ctx, frozen).catch(() => undefined)
    await rm(work, { recursive: true, force: true })
  }
  publishLifecycle(
    state.events,
    'instance-backup-created',
    entityUrl(`/1.0/instances/${inst.name}/backups/${req.name}`, inst.project),
    { project: inst.project, requestor: caller.requestor },
  )
}
