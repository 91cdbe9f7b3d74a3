/** @module A test daemon with a dir pool, a root disk in the default profile and the busybox image. */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Operation } from '@corral/api'
import { ok } from './http.js'
import { startTestDaemon, type TestDaemon } from './test-daemon.js'

const repoRoot = new URL('../../../../../', import.meta.url).pathname

/** Why instance tests cannot run here, or undefined. */
export function instanceSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'instances need root (LXC, idmapped mounts)'
  if (!existsSync('/bin/busybox')) return '/bin/busybox is missing (install busybox-static)'
  if (spawnSync('which', ['lxc-start']).status !== 0)
    return 'LXC is not installed (run scripts/install-deps.sh)'
  return undefined
}

/** A daemon ready to create instances from the `busybox` alias. */
export interface InstanceFixture {
  d: TestDaemon
  fingerprint: string
  close(): Promise<void>
}

function upload(socketPath: string, body: Buffer): Promise<{ operation: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: 'POST',
        path: '/1.0/images',
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length },
      },
      (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString('utf8')))
        res.on('end', () => resolve(JSON.parse(text) as { operation: string }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** Waits for an operation and returns it. */
export function waitOp(d: TestDaemon, operation: string): Promise<Operation> {
  return ok<Operation>(d.socket, 'GET', `${operation}/wait?timeout=120`)
}

/** Starts a daemon, creates pool `default` (dir), adds the root disk, imports the busybox image. */
export async function startInstanceFixture(): Promise<InstanceFixture> {
  const d = await startTestDaemon()
  const images = mkdtempSync(join(tmpdir(), 'corral-img-'))
  try {
    const built = spawnSync('bash', [join(repoRoot, 'scripts/build-busybox-image.sh'), images], {
      encoding: 'utf8',
    })
    if (built.status !== 0) throw new Error(`image build failed: ${built.stderr}`)
    await ok(d.socket, 'POST', '/1.0/storage-pools', { body: { name: 'default', driver: 'dir' } })
    await ok(d.socket, 'PATCH', '/1.0/profiles/default', {
      body: { devices: { root: { type: 'disk', path: '/', pool: 'default' } } },
    })
    const op = await waitOp(
      d,
      (await upload(d.socket, readFileSync(join(images, 'busybox.tar.xz')))).operation,
    )
    if (op.status !== 'Success') throw new Error(`image import failed: ${op.err}`)
    const fingerprint = String(op.metadata?.fingerprint)
    await ok(d.socket, 'POST', '/1.0/images/aliases', { body: { name: 'busybox', target: fingerprint } })
    return {
      d,
      fingerprint,
      async close() {
        for (const name of await ok<string[]>(d.socket, 'GET', '/1.0/instances')) {
          spawnSync('lxc-stop', ['-k', '-n', name.split('/').pop()!, '-P', join(d.dir, 'containers')])
        }
        await d.close()
      },
    }
  } finally {
    rmSync(images, { recursive: true, force: true })
  }
}

/** An instance row for tests that write the database directly (default project, no devices). */
export function instanceRow(name: string, extra: { pool?: string; config?: Record<string, string> } = {}) {
  return {
    project: 'default',
    name,
    type: 'container' as const,
    architecture: 'x86_64',
    description: '',
    ephemeral: false,
    stateful: false,
    config: extra.config ?? {},
    devices: {},
    profiles: [],
    pool: extra.pool ?? '',
    created_at: new Date().toISOString(),
  }
}
