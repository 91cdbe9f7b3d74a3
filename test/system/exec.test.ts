/** @module System tier: stock `lxc exec`/`lxc file` and pylxd against a real corrald and a real container. */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, makeStateDir, repoRoot, run, startCorrald, type Corrald } from '../helpers/corrald.js'
import { stockClientEnv } from '../helpers/stock-client.js'
import { sessionSkipReason } from '../helpers/lxc-session.js'

/** The daemon tests' container builder (compiled), loaded at run time: it lives in another package's tree. */
interface ContainerHelpers {
  containerSkipReason(): string | undefined
  startTestContainer(lxcpath: string, name: string): { rootfs: string; destroy(): void }
}

const helpersUrl = new URL('packages/daemon/dist/test/helpers/exec-container.js', `file://${repoRoot}`)
const helpers = (await import(helpersUrl.href)) as ContainerHelpers
const skip = sessionSkipReason() ?? helpers.containerSkipReason()
const name = `sx${process.pid}`
let dir = ''
let home = ''
let daemon: Corrald | undefined
let container: { rootfs: string; destroy(): void } | undefined

/** Inserts the instance row straight into the daemon's database (no lifecycle needed). */
function insertInstance(database: string): void {
  const require = createRequire(join(repoRoot, 'packages/daemon/package.json'))
  type Db = { prepare(sql: string): { run(...args: unknown[]): unknown }; close(): void }
  const Database = require('better-sqlite3') as new (path: string) => Db
  const db = new Database(database)
  db.prepare(
    `INSERT INTO instances (project_id, name, type, architecture, description, ephemeral, stateful, config, devices, profiles, pool, created_at)
     VALUES ((SELECT id FROM projects WHERE name = 'default'), ?, 'container', 'x86_64', '', 0, 0, '{}', '{}', '[]', '', ?)`,
  ).run(name, new Date().toISOString())
  db.close()
}

before(async () => {
  if (skip) return
  dir = makeStateDir('corral-exec')
  home = mkdtempSync(join('/tmp', 'corral-exec-home-'))
  daemon = await startCorrald(dir)
  container = helpers.startTestContainer(join(dir, 'containers'), name)
  insertInstance(join(dir, 'database', 'local.db'))
})

after(async () => {
  container?.destroy()
  if (dir) await cleanup(daemon, dir)
  if (home) rmSync(home, { recursive: true, force: true })
})

const env = () => stockClientEnv(home, { LXD_DIR: dir })
const lxc = (args: string[], input?: string) => run('lxc', args, { env: env(), input })

test('lxc exec (non-interactive): separate stdout and stderr, stdin, exit code passthrough', { skip }, () => {
  const r = lxc(['exec', name, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], '')
  assert.deepEqual([r.stdout, r.stderr, r.status], ['out\n', 'err\n', 3])
  const cat = lxc(['exec', name, '--', 'cat'], 'through stdin\n')
  assert.deepEqual([cat.stdout, cat.status], ['through stdin\n', 0])
  const env = lxc(
    ['exec', name, '--env', 'GREETING=hi', '--cwd', '/tmp', '--', 'sh', '-c', 'echo $GREETING; pwd'],
    '',
  )
  assert.equal(env.stdout, 'hi\n/tmp\n', env.stderr)
})

test(
  'lxc exec (interactive, under a pty): the command has a terminal and its exit code comes back',
  { skip },
  () => {
    const r = run('script', ['-qec', `lxc exec ${name} -- sh -c 'tty; stty size; exit 4'`, '/dev/null'], {
      env: env(),
    })
    assert.equal(r.status, 4, r.stdout + r.stderr)
    assert.match(r.stdout, /\/dev\/pts\/\d+/)
    assert.match(r.stdout, /(?:^|\0)\d+ \d+\r?$/m)
  },
)

test('lxc file push and pull round trip with uid, gid and mode', { skip }, () => {
  const local = join(home, 'payload')
  writeFileSync(local, 'pushed by lxc\n')
  const pushed = lxc([
    'file',
    'push',
    local,
    `${name}/tmp/payload`,
    '--uid',
    '1000',
    '--gid',
    '1000',
    '--mode',
    '0600',
  ])
  assert.equal(pushed.status, 0, pushed.stderr)
  const st = statSync(join(container!.rootfs, 'tmp/payload'))
  assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [1000, 1000, 0o600])
  const out = join(home, 'pulled')
  const pulled = lxc(['file', 'pull', `${name}/tmp/payload`, out])
  assert.equal(pulled.status, 0, pulled.stderr)
  assert.equal(readFileSync(out, 'utf8'), 'pushed by lxc\n')
  assert.match(lxc(['file', 'pull', `${name}/etc/passwd`, '-']).stdout, /^root:x:0:0/)
  const missing = lxc(['file', 'pull', `${name}/nope`, out])
  assert.notEqual(missing.status, 0)
})

test('pylxd execute returns stdout, stderr and the exit code', { skip }, () => {
  const script = [
    'import pylxd, sys',
    'c = pylxd.Client()  # finds $LXD_DIR/unix.socket',
    '# a bare model: GET /1.0/containers/NAME is the instance API, not under test here',
    `r = pylxd.models.Container(c, name=${JSON.stringify(name)}).execute(["sh", "-c", "echo out; echo err >&2; exit 3"])`,
    'print(repr((r.exit_code, r.stdout, r.stderr)))',
  ].join('\n')
  const r = run('/usr/bin/python3', ['-c', script], { env: env() })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout.trim(), "(3, 'out\\n', 'err\\n')")
})
