/** @module System tier: one daemon per directory, stale sockets, clean and unclean stops. */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import {
  cleanup,
  corraldBin,
  makeStateDir,
  rootSkipReason,
  run,
  startCorrald,
  type Corrald,
} from '../helpers/corrald.js'

const skip = rootSkipReason()

/** Sends one PUT; resolves false once the daemon is gone. */
function put(socketPath: string, path: string, body: unknown): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, method: 'PUT' }, (res) => {
      res.resume()
      res.on('end', () => resolve(true))
      res.on('error', () => resolve(false))
    })
    req.on('error', () => resolve(false))
    req.end(JSON.stringify(body))
  })
}

function curl(socket: string, method: string, path: string, body?: unknown) {
  const args = ['-sS', '--unix-socket', socket, '-X', method, `http://corral${path}`]
  if (body !== undefined) args.push('-d', JSON.stringify(body))
  const r = run('curl', args)
  return JSON.parse(r.stdout || '{}') as { error_code: number; error: string; metadata: unknown }
}

test('corrald --version prints the release', { skip }, () => {
  const r = run(process.execPath, [corraldBin, '--version'])
  assert.equal(r.status, 0)
  assert.match(r.stdout, /^\d+\.\d+\.\d+( LTS)?\n$/)
})

test(
  'a second corrald on the same directory refuses to start and the first keeps serving',
  { skip },
  async () => {
    const dir = makeStateDir('corral-dup')
    let first: Corrald | undefined
    try {
      first = await startCorrald(dir)
      const second = run(process.execPath, [corraldBin, '--group', 'root'], {
        env: { ...process.env, CORRAL_DIR: dir },
      })
      assert.equal(second.status, 1)
      assert.match(second.stderr, /Another daemon is already running/)
      assert.equal(curl(first.socket, 'GET', '/1.0').error_code, 0)
    } finally {
      await cleanup(first, dir)
    }
  },
)

test(
  'a stale socket file is replaced, and SIGTERM stops cleanly and removes the socket',
  { skip },
  async () => {
    const dir = makeStateDir('corral-stale')
    let daemon: Corrald | undefined
    try {
      // A socket file nobody listens on: bound by a process that then exits without unlinking it.
      const socket = join(dir, 'unix.socket')
      assert.equal(
        run('python3', [
          '-c',
          `import socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(socket)})`,
        ]).status,
        0,
      )
      assert.ok(existsSync(socket))
      daemon = await startCorrald(dir)
      assert.equal(curl(daemon.socket, 'GET', '/1.0').error_code, 0)
      assert.equal(await daemon.stop(), 0)
      assert.equal(existsSync(socket), false)
    } finally {
      await cleanup(daemon, dir)
    }
  },
)

test('PUT /internal/shutdown stops the daemon with status 0', { skip }, async () => {
  const dir = makeStateDir('corral-shut')
  let daemon: Corrald | undefined
  try {
    daemon = await startCorrald(dir)
    const exited = new Promise<number | null>((r) => daemon!.proc.once('exit', r))
    curl(daemon.socket, 'PUT', '/internal/shutdown')
    assert.equal(await exited, 0)
  } finally {
    await cleanup(daemon, dir)
  }
})

test(
  'kill -9 during profile updates leaves the database consistent and a restart serves the same state',
  { skip },
  async () => {
    const dir = makeStateDir('corral-kill')
    let daemon: Corrald | undefined
    const keys = Array.from({ length: 40 }, (_v, i) => `user.k${i}`)
    const configOf = (round: number) => Object.fromEntries(keys.map((k) => [k, `round-${round}`]))
    try {
      daemon = await startCorrald(dir)
      curl(daemon.socket, 'POST', '/1.0/profiles', { name: 'crash', config: configOf(0) })
      for (let attempt = 0; attempt < 3; attempt++) {
        // Writers hammer the profile with whole-config PUTs; the daemon is killed mid-stream.
        let round = attempt * 1000
        const writers = Array.from({ length: 4 }, async () => {
          for (;;) {
            const ok = await put(daemon!.socket, '/1.0/profiles/crash', { config: configOf(++round) })
            if (!ok) return
          }
        })
        await new Promise((r) => setTimeout(r, 300))
        await daemon.kill()
        await Promise.all(writers)
        assert.ok(round > attempt * 1000 + 10, 'updates were in flight when the daemon died')
        // The database file itself must be intact, with each profile's config one whole version.
        const db = new Database(join(dir, 'database', 'local.db'), { readonly: true })
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok')
        db.close()
        daemon = await startCorrald(dir)
        const profile = curl(daemon.socket, 'GET', '/1.0/profiles/crash').metadata as {
          config: Record<string, string>
        }
        assert.deepEqual(Object.keys(profile.config).sort(), [...keys].sort())
        assert.equal(new Set(Object.values(profile.config)).size, 1, 'every key from the same update')
        assert.deepEqual(curl(daemon.socket, 'GET', '/1.0/profiles').metadata, [
          '/1.0/profiles/crash',
          '/1.0/profiles/default',
        ])
      }
    } finally {
      await cleanup(daemon, dir)
    }
  },
)
