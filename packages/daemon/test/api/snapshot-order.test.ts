/** @module Snapshot rows and volumes: a daemon killed mid-create or mid-delete never lists a snapshot without its volume. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import * as db from '../../src/db/instances.js'
import { hostRunner, type CommandRunner } from '../../src/host/runner.js'
import { startDaemon, type Daemon } from '../../src/index.js'
import { createSnapshot, deleteSnapshot, renameSnapshot } from '../../src/instance/snapshots.js'
import { loadPool } from '../../src/storage/index.js'
import { ok } from '../helpers/http.js'
import { instanceRow } from '../helpers/instance-fixture.js'

const caller = { project: 'default', requestor: { username: 'test', protocol: 'unix', address: '@' } }

/** A host command that, once matched, "kills the daemon": it runs for real, then never returns. */
interface Crash {
  match(cmd: string, args: readonly string[]): boolean
  /** Whether to run the command before stopping there. */
  run: boolean
  reached(): void
}

let crash: Crash | undefined
const hooked: CommandRunner = {
  ...hostRunner,
  async run(cmd, args, opts) {
    const c = crash
    if (!c?.match(cmd, args)) return hostRunner.run(cmd, args, opts)
    crash = undefined
    if (c.run) await hostRunner.run(cmd, args, opts)
    c.reached()
    return new Promise<never>(() => undefined)
  },
}

/** Arms a crash at the next matching host command; resolves once the "daemon" died there. */
function crashAt(match: Crash['match'], run: boolean): Promise<void> {
  return new Promise((resolve) => (crash = { match, run, reached: resolve }))
}

const btrfsSkip =
  process.getuid?.() !== 0
    ? 'a btrfs pool needs root (loop devices and mounts)'
    : !existsSync('/proc/filesystems') || !readFileSync('/proc/filesystems', 'utf8').includes('btrfs')
      ? 'the kernel has no btrfs filesystem'
      : undefined
if (btrfsSkip) console.log(`# skipping the btrfs snapshot delete test: ${btrfsSkip}`)

let dir = ''
let daemon: Daemon | undefined

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'corral-snaporder-'))
  daemon = await startDaemon({
    dir,
    group: 'root',
    logFile: false,
    quiet: true,
    autostart: false,
    host: hooked,
  })
  const socket = daemon.state.paths.socket
  await ok(socket, 'POST', '/1.0/storage-pools', { body: { name: 'pd', driver: 'dir' } })
  if (!btrfsSkip)
    await ok(socket, 'POST', '/1.0/storage-pools', {
      body: { name: 'pb', driver: 'btrfs', config: { size: '256MiB' } },
    })
})

after(async () => {
  crash = undefined
  const state = daemon?.state
  if (state && !btrfsSkip) {
    // Only this test's pool: its mount under our state directory and the loop on its own file.
    await ok(state.paths.socket, 'DELETE', '/1.0/storage-pools/pb').catch(() => undefined)
    const mount = join(dir, 'storage-pools/pb')
    if (execFileSync('findmnt', ['-rn', '-o', 'TARGET'], { encoding: 'utf8' }).split('\n').includes(mount))
      execFileSync('umount', [mount])
  }
  await daemon?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** An instance row on `pool` with a volume holding rootfs/file. */
async function instance(name: string, pool: string): Promise<db.InstanceRecord> {
  const state = daemon!.state
  await loadPool(state, pool).createInstanceFromImage({
    project: 'default',
    instance: name,
    fingerprint: 'ab'.repeat(32),
    async unpack(path) {
      await mkdir(join(path, 'rootfs'), { recursive: true })
      await writeFile(join(path, 'rootfs/file'), name)
    },
  })
  return db.createInstance(state.db, instanceRow(name, { pool }))
}

const rows = (inst: db.InstanceRecord): string[] =>
  db.listSnapshots(daemon!.state.db, inst.id).map((s) => s.name)

test('createSnapshot() makes the volume before the row: killed while copying, nothing is listed', async () => {
  const state = daemon!.state
  const inst = await instance('c1', 'pd')
  const pool = loadPool(state, 'pd')
  const killed = crashAt((cmd) => cmd === 'cp', true)
  void createSnapshot(state, inst, 'snap0', caller).catch(() => undefined)
  await killed
  assert.deepEqual(rows(inst), [], 'no row for a volume still being made')
  assert.ok(existsSync(pool.snapshotPath('default', 'c1', 'snap0')), 'the copy was made')
  // After the restart the name is free, and the leftover volume makes way for a new snapshot.
  assert.equal(await createSnapshot(state, inst, '', caller), 'snap0')
  assert.deepEqual(rows(inst), ['snap0'])
  assert.equal(readFileSync(join(pool.snapshotPath('default', 'c1', 'snap0'), 'rootfs/file'), 'utf8'), 'c1')
})

test('createSnapshot() removes the new volume when its row cannot be written', async () => {
  const state = daemon!.state
  const inst = db.getInstance(state.db, 'default', 'c1')
  state.db.exec(
    "CREATE TEMP TRIGGER fail_snapshot BEFORE INSERT ON instances_snapshots BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
  )
  try {
    await assert.rejects(createSnapshot(state, inst, 'snap1', caller), /disk I\/O error/)
  } finally {
    state.db.exec('DROP TRIGGER fail_snapshot')
  }
  assert.deepEqual(rows(inst), ['snap0'])
  assert.equal(existsSync(loadPool(state, 'pd').snapshotPath('default', 'c1', 'snap1')), false)
})

test('createSnapshot() refuses a taken name without touching its volume', async () => {
  const state = daemon!.state
  const inst = db.getInstance(state.db, 'default', 'c1')
  await assert.rejects(createSnapshot(state, inst, 'snap0', caller), {
    status: 409,
    message: 'Snapshot "snap0" already exists',
  })
  assert.ok(existsSync(join(loadPool(state, 'pd').snapshotPath('default', 'c1', 'snap0'), 'rootfs/file')))
})

test('renameSnapshot() to a name only a leftover volume holds replaces that volume', async () => {
  const state = daemon!.state
  const inst = db.getInstance(state.db, 'default', 'c1')
  const pool = loadPool(state, 'pd')
  mkdirSync(pool.snapshotPath('default', 'c1', 'stale'))
  await renameSnapshot(state, inst, db.getSnapshot(state.db, inst.id, 'snap0'), 'stale', caller)
  assert.deepEqual(rows(inst), ['stale'])
  assert.equal(readFileSync(join(pool.snapshotPath('default', 'c1', 'stale'), 'rootfs/file'), 'utf8'), 'c1')
})

test(
  'deleteSnapshot() drops the row before the volume: killed while deleting, nothing is listed',
  { skip: btrfsSkip },
  async () => {
    const state = daemon!.state
    const inst = await instance('c2', 'pb')
    const pool = loadPool(state, 'pb')
    await createSnapshot(state, inst, 'snap0', caller)
    const killed = crashAt((cmd, args) => cmd === 'btrfs' && args[1] === 'delete', false)
    void deleteSnapshot(state, inst, db.getSnapshot(state.db, inst.id, 'snap0'), caller).catch(
      () => undefined,
    )
    await killed
    assert.deepEqual(rows(inst), [], 'no row for a volume being deleted')
    assert.ok(existsSync(pool.snapshotPath('default', 'c2', 'snap0')), 'the volume was not deleted yet')
    assert.equal(await createSnapshot(state, inst, '', caller), 'snap0', 'the leftover makes way')
    await deleteSnapshot(state, inst, db.getSnapshot(state.db, inst.id, 'snap0'), caller)
    assert.equal(existsSync(pool.snapshotPath('default', 'c2', 'snap0')), false)
    await pool.deleteInstance('default', 'c2')
    db.deleteInstance(state.db, inst.id)
  },
)
