/** @module An in-process daemon on a temporary state directory, for the API tier. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDaemon, type Daemon } from '../../src/index.js'

/** A started test daemon and its socket path; close() stops it and removes its directory. */
export interface TestDaemon {
  daemon: Daemon
  dir: string
  socket: string
  close(): Promise<void>
}

/** Starts a daemon on a fresh temporary directory, with the socket group of the caller's gid; the audit runs only when asked, so rows stay still between a test's reads. */
export async function startTestDaemon(): Promise<TestDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'corral-api-'))
  const daemon = await startDaemon({ dir, group: 'root', logFile: false, quiet: true, watchSecurity: false })
  return {
    daemon,
    dir,
    socket: daemon.state.paths.socket,
    async close() {
      await daemon.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
