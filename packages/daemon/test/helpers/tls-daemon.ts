/** @module A test daemon with its TLS listener on loopback and a scratch directory for client certificates. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestDaemon, type TestDaemon } from './test-daemon.js'
import { listenTls } from './tls.js'

/** A started daemon, the TLS port it listens on and the scratch directory. */
export interface TlsDaemon {
  d: TestDaemon
  work: string
  port: number
}

/** Makes a scratch directory named after `prefix`, starts a daemon and its TLS listener. */
export async function startTlsDaemon(prefix: string): Promise<TlsDaemon> {
  const work = mkdtempSync(join(tmpdir(), prefix))
  const d = await startTestDaemon()
  return { d, work, port: await listenTls(d) }
}

/** Stops the daemon and removes the scratch directory. */
export async function stopTlsDaemon(d: TestDaemon, work: string): Promise<void> {
  await d.close()
  rmSync(work, { recursive: true, force: true })
}
