/** @module Where instance backups live: `<state>/backups/instances/<volume>/<name>` with a `<name>.json` record beside it. */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { badRequest, notFound, type InstanceBackup } from '@corral/api'
import { listInstances } from '../db/instances.js'
import type { State } from '../state.js'
import { volumeName } from '../storage/index.js'

/** What is kept of a backup besides its tarball. */
export interface BackupRecord {
  name: string
  created_at: string
  /** RFC 3339, or '' for never. */
  expires_at: string
  instance_only: boolean
  optimized_storage: boolean
  compression: string
}

/** Go's zero time, which LXD shows for "never". */
const never = '0001-01-01T00:00:00Z'

/** Backup names: LXD refuses a slash; Corral also refuses what could name another file. */
export function validateBackupName(name: string): void {
  if (name.includes('/')) throw badRequest('Backup names may not contain slashes')
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name) || name.endsWith('.json'))
    throw badRequest(`Invalid backup name "${name}"`)
}

/** The directory of one instance's backups. */
export function backupsDir(state: State, project: string, instance: string): string {
  return join(state.paths.dir, 'backups', 'instances', volumeName(project, instance))
}

/** The tarball of one backup. */
export function backupFile(state: State, project: string, instance: string, name: string): string {
  validateBackupName(name)
  return join(backupsDir(state, project, instance), name)
}

/** True when the record's expiry has passed. */
const expired = (r: BackupRecord, now: number) => r.expires_at !== '' && Date.parse(r.expires_at) <= now

/** An instance's backups, oldest first; expired ones are removed on the way. */
export function listBackups(state: State, project: string, instance: string): BackupRecord[] {
  const dir = backupsDir(state, project, instance)
  if (!existsSync(dir)) return []
  const now = Date.now()
  const records: BackupRecord[] = []
  for (const entry of readdirSync(dir)) {
    if (!entry.endsWith('.json')) continue
    let record: BackupRecord
    try {
      record = JSON.parse(readFileSync(join(dir, entry), 'utf8')) as BackupRecord
    } catch {
      continue
    }
    if (expired(record, now) || !existsSync(join(dir, record.name))) {
      removeBackupSync(state, project, instance, record.name)
      continue
    }
    records.push(record)
  }
  return records.sort((a, b) => a.created_at.localeCompare(b.created_at))
}

/** One backup, 404 when absent or expired. */
export function getBackup(state: State, project: string, instance: string, name: string): BackupRecord {
  validateBackupName(name)
  const found = listBackups(state, project, instance).find((r) => r.name === name)
  if (!found) throw notFound('Instance backup not found')
  return found
}

/** Writes a backup's record (its tarball is already in place). */
export async function saveBackupRecord(
  state: State,
  project: string,
  instance: string,
  record: BackupRecord,
): Promise<void> {
  const dir = backupsDir(state, project, instance)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const tmp = join(dir, `.${record.name}.json.tmp`)
  await writeFile(tmp, JSON.stringify(record), { mode: 0o600 })
  await rename(tmp, join(dir, `${record.name}.json`))
}

function removeBackupSync(state: State, project: string, instance: string, name: string): void {
  const dir = backupsDir(state, project, instance)
  rmSync(join(dir, `${name}.json`), { force: true })
  rmSync(join(dir, name), { force: true })
}

/** Removes one backup: its record first, so a kill in between leaves no listed backup without a file. */
export async function removeBackup(
  state: State,
  project: string,
  instance: string,
  name: string,
): Promise<void> {
  const dir = backupsDir(state, project, instance)
  await rm(join(dir, `${name}.json`), { force: true })
  await rm(join(dir, name), { force: true })
}

/** Renames one backup (record and tarball). */
export async function renameBackup(
  state: State,
  project: string,
  instance: string,
  record: BackupRecord,
  to: string,
): Promise<void> {
  validateBackupName(to)
  const dir = backupsDir(state, project, instance)
  if (existsSync(join(dir, `${to}.json`))) throw badRequest(`Backup "${to}" already exists`)
  await rename(join(dir, record.name), join(dir, to))
  await saveBackupRecord(state, project, instance, { ...record, name: to })
  await rm(join(dir, `${record.name}.json`), { force: true })
}

/** Drops every backup of an instance (the instance is deleted). */
export function forgetBackups(state: State, project: string, instance: string): void {
  rmSync(backupsDir(state, project, instance), { recursive: true, force: true })
}

/** Moves an instance's backups with it (the instance is renamed). */
export function moveBackups(state: State, project: string, from: string, to: string): void {
  const src = backupsDir(state, project, from)
  if (!existsSync(src)) return
  const dst = backupsDir(state, project, to)
  rmSync(dst, { recursive: true, force: true })
  renameSync(src, dst)
}

/** The wire form of a backup. */
export function toApiBackup(r: BackupRecord): InstanceBackup {
  return {
    name: r.name,
    created_at: r.created_at,
    expires_at: r.expires_at || never,
    instance_only: r.instance_only,
    container_only: r.instance_only,
    optimized_storage: r.optimized_storage,
  }
}

/** Removes every expired backup of every instance (LXD's hourly task). */
export function sweepExpiredBackups(state: State): void {
  for (const inst of listInstances(state.db, undefined)) listBackups(state, inst.project, inst.name)
}

/** How often expired backups are swept away. */
const sweepPeriodMs = 3600_000

/** Removes the work directories of backups a killed daemon left (none runs before the daemon is ready). */
function removeWorkLeftovers(state: State): void {
  const root = join(state.paths.dir, 'backups', 'instances')
  for (const volume of existsSync(root) ? readdirSync(root) : [])
    for (const entry of readdirSync(join(root, volume)))
      if (entry.startsWith('.work-')) rmSync(join(root, volume, entry), { recursive: true, force: true })
}

/** Sweeps expired backups (and a killed daemon's leftovers) now, then expired ones hourly; returns the function that stops it. */
export function startBackupExpiry(state: State): () => void {
  try {
    removeWorkLeftovers(state)
  } catch (err) {
    state.log.warn('Failed removing unfinished backups', { err: String(err) })
  }
  const sweep = () => {
    try {
      sweepExpiredBackups(state)
    } catch (err) {
      state.log.warn('Failed removing expired backups', { err: String(err) })
    }
  }
  sweep()
  const timer = setInterval(sweep, sweepPeriodMs)
  timer.unref()
  return () => clearInterval(timer)
}
