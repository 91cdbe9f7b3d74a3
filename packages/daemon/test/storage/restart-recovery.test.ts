/** @module API tier: a daemon restarted after a kill sweeps the volume work left half done in its pools. */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startDaemon, type Daemon } from '../../src/index.js'
import { ok } from '../helpers/http.js'

/** A volume directory holding rootfs/marker. */
function volume(path: string, marker: string): void {
  mkdirSync(join(path, 'rootfs'), { recursive: true })
  writeFileSync(join(path, 'rootfs/marker'), marker)
}

test('a restarted daemon puts back volumes a killed restore set aside and sweeps every leftover', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-recover-'))
  const start = () => startDaemon({ dir, group: 'root', logFile: false, quiet: true, autostart: false })
  let daemon: Daemon | undefined
  try {
    daemon = await start()
    await ok(daemon.state.paths.socket, 'POST', '/1.0/storage-pools', { body: { name: 'p', driver: 'dir' } })
    await daemon.stop()
    daemon = undefined
    const pool = join(dir, 'storage-pools/p')
    const containers = join(pool, 'containers')
    // Killed between a restore's renames: the volume is set aside and the copy is not in place.
    volume(join(containers, '.old.c1'), 'c1 old')
    volume(join(containers, '.restore.c1'), 'c1 snapshot')
    // Killed after them: the copy is live, the old volume not yet deleted.
    volume(join(containers, 'p2_c2'), 'c2 restored')
    volume(join(containers, '.old.p2_c2'), 'c2 old')
    // Killed during a copy, during an unpack, and during an image unpack.
    volume(join(containers, 'c3'), 'c3')
    volume(join(containers, '.restore.c3'), 'c3 partial')
    volume(join(containers, '.create.c4/volume'), 'c4 partial')
    volume(join(pool, 'images', `${'ab'.repeat(32)}.partial`), 'image partial')

    daemon = await start()
    assert.deepEqual(readdirSync(containers).sort(), ['c1', 'c3', 'p2_c2'])
    assert.equal(readFileSync(join(containers, 'c1/rootfs/marker'), 'utf8'), 'c1 old')
    assert.equal(readFileSync(join(containers, 'p2_c2/rootfs/marker'), 'utf8'), 'c2 restored')
    assert.equal(readFileSync(join(containers, 'c3/rootfs/marker'), 'utf8'), 'c3')
    assert.deepEqual(readdirSync(join(pool, 'images')), [])
  } finally {
    await daemon?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
