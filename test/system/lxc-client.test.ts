/** @module System tier: Debian's stock LXD client (lxd-client 5.0.2) works against corrald unchanged. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, freePort, makeStateDir, run, startCorrald, type Corrald } from '../helpers/corrald.js'
import { stockClientEnv } from '../helpers/stock-client.js'
import { sessionSkipReason } from '../helpers/lxc-session.js'

const skip = sessionSkipReason()
let dir = ''
let home = ''
let daemon: Corrald | undefined

before(async () => {
  if (skip) return
  dir = makeStateDir('corral-lxc')
  home = mkdtempSync(join('/tmp', 'corral-lxc-home-'))
  daemon = await startCorrald(dir)
})

after(async () => {
  if (skip) return
  await cleanup(daemon, dir)
  rmSync(home, { recursive: true, force: true })
})

const env = () => stockClientEnv(home, { LXD_DIR: dir, EDITOR: '/bin/false' })
const lxc = (args: string[], input?: string) => run('lxc', args, { env: env(), input })

test('lxc info shows the trusted server view with corrald version', { skip }, () => {
  const r = lxc(['info'])
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^auth: trusted$/m)
  assert.match(r.stdout, /^ {2}server_version: \d+\.\d+\.\d+$/m)
  assert.match(r.stdout, /^ {2}driver: lxc$/m)
})

test('lxc profile create, set, show, edit, rename and delete', { skip }, () => {
  assert.equal(lxc(['profile', 'create', 'p1']).stdout, 'Profile p1 created\n')
  assert.equal(lxc(['profile', 'set', 'p1', 'limits.cpu', '2']).status, 0)
  const shown = lxc(['profile', 'show', 'p1'])
  assert.equal(
    shown.stdout,
    'config:\n  limits.cpu: "2"\ndescription: ""\ndevices: {}\nname: p1\nused_by: []\n',
  )
  const edited = lxc(
    ['profile', 'edit', 'p1'],
    'config:\n  limits.memory: 1GiB\ndescription: Edited by lxc\ndevices: {}\n',
  )
  assert.equal(edited.status, 0, edited.stderr)
  assert.equal(
    lxc(['profile', 'show', 'p1']).stdout,
    'config:\n  limits.memory: 1GiB\ndescription: Edited by lxc\ndevices: {}\nname: p1\nused_by: []\n',
  )
  assert.equal(lxc(['profile', 'rename', 'p1', 'p2']).stdout, 'Profile p1 renamed to p2\n')
  assert.match(lxc(['profile', 'list']).stdout, /\| p2 +\| Edited by lxc +\| 0 +\|/)
  assert.equal(lxc(['profile', 'delete', 'p2']).stdout, 'Profile p2 deleted\n')
  assert.doesNotMatch(lxc(['profile', 'list']).stdout, /p2/)
})

test('lxc profile set with an unknown key is refused with the registry message', { skip }, () => {
  const r = lxc(['profile', 'set', 'default', 'no.such.key', '1'])
  assert.equal(r.status, 1)
  assert.equal(r.stderr, 'Error: Unknown configuration key: no.such.key\n')
})

test(
  'lxc config set is accepted or refused exactly as the key registry says; core.https_address starts the listener',
  { skip },
  async () => {
    assert.equal(lxc(['config', 'set', 'core.shutdown_timeout', '2']).status, 0)
    assert.equal(lxc(['config', 'get', 'core.shutdown_timeout']).stdout, '2\n')
    const badValue = lxc(['config', 'set', 'core.shutdown_timeout', 'soon'])
    assert.equal(badValue.status, 1)
    assert.match(badValue.stderr, /^Error: Cannot set "core.shutdown_timeout" to "soon": /)
    const port = await freePort()
    assert.equal(lxc(['config', 'set', 'core.https_address', `127.0.0.1:${port}`]).status, 0)
    const answered = run('curl', [
      '-sk',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `https://127.0.0.1:${port}/1.0`,
    ])
    assert.equal(answered.stdout, '200')
    const badPort = lxc(['config', 'set', 'core.https_address', '127.0.0.1:99999'])
    assert.equal(badPort.status, 1)
    assert.match(badPort.stderr, /^Error: Cannot set "core.https_address" to "127.0.0.1:99999": Invalid port/)
    const unknown = lxc(['config', 'set', 'core.bogus', '1'])
    assert.equal(unknown.stderr, 'Error: Cannot set "core.bogus": Unknown key\n')
    assert.equal(lxc(['config', 'unset', 'core.https_address']).status, 0)
    assert.equal(lxc(['config', 'unset', 'core.shutdown_timeout']).status, 0)
    assert.equal(lxc(['config', 'show']).stdout, 'config: {}\n')
  },
)

test('lxc operation list and lxc query /1.0 work', { skip }, () => {
  const ops = lxc(['operation', 'list'])
  assert.equal(ops.status, 0, ops.stderr)
  assert.match(ops.stdout, /\| ID \| TYPE \| DESCRIPTION \| STATUS \| CANCELABLE \| CREATED \|/)
  const q = lxc(['query', '/1.0'])
  assert.equal(q.status, 0)
  assert.equal((JSON.parse(q.stdout) as { api_version: string }).api_version, '1.0')
})

test('lxc monitor --type lifecycle sees a profile-created event', { skip }, async () => {
  const monitor = spawn('lxc', ['monitor', '--type', 'lifecycle'], {
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  monitor.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')))
  try {
    // The monitor connects asynchronously; create profiles until one is seen (at most 5 s).
    for (let i = 0; i < 50 && !/action: profile-created/.test(out); i++) {
      lxc(['profile', 'create', `mon${i}`])
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.match(out, /action: profile-created/)
    assert.match(out, /source: \/1\.0\/profiles\/mon\d+/)
    assert.match(out, /username: root/)
    assert.match(out, /type: lifecycle/)
  } finally {
    monitor.kill('SIGTERM')
  }
})
