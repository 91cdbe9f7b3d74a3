/**
 * @module System tier: an audit with only low findings exits 0 and prints the same findings in
 * table, json and yaml; socket-group names the socket group's member, removed by its fix. The
 * daemon runs in a mount namespace of its own where apt's lists are an empty tmpfs.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { AuditFinding, Warning } from '@corral/api'
import { makeClientCert } from '../helpers/certs.js'
import {
  cleanup,
  corralBin,
  corraldBin,
  superviseCorrald,
  makeStateDir,
  repoRoot,
  run,
  type Corrald,
} from '../helpers/corrald.js'
import { stockClientEnv } from '../helpers/stock-client.js'
import { sessionSkipReason } from '../helpers/lxc-session.js'

const skip =
  sessionSkipReason({ pool: true }) ??
  (run('which', ['unshare']).status === 0 ? undefined : 'unshare is not installed (util-linux)')
const tag = String(process.pid % 100000)
let images = ''

before(() => {
  if (skip) return
  images = mkdtempSync('/tmp/corral-audit-low-img-')
  const built = run('bash', [join(repoRoot, 'scripts/build-busybox-image.sh'), images])
  assert.equal(built.status, 0, built.stderr)
})

after(() => {
  if (images) rmSync(images, { recursive: true, force: true })
})

/**
 * A second daemon in a mount namespace of its own where apt's lists are an empty tmpfs: the
 * host's pending updates are out of its sight, so what remains can be only low findings.
 */
function startWithoutAptLists(dir: string, group: string): Promise<Corrald> {
  const proc = spawn(
    'unshare',
    [
      '-m',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      'mount -t tmpfs tmpfs /var/lib/apt/lists && exec "$0" "$@"',
      process.execPath,
      corraldBin,
      '--group',
      group,
    ],
    { env: { ...process.env, CORRAL_DIR: dir }, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  return superviseCorrald(dir, proc)
}

test('only low findings exit 0, and table, json and yaml print the same findings', { skip }, async (t) => {
  const dir = makeStateDir('corral-audit-low')
  const home = mkdtempSync('/tmp/corral-audit-low-home-')
  const group = `cra${tag}g`
  const member = `cra${tag}m`
  let d: Corrald | undefined
  try {
    assert.equal(run('groupadd', [group]).status, 0)
    assert.equal(run('useradd', ['-M', '-G', group, member]).status, 0)
    d = await startWithoutAptLists(dir, group)
    const lxc = (args: string[]) => {
      const r = run('lxc', args, { env: stockClientEnv(home, { LXD_DIR: dir }) })
      assert.equal(r.status, 0, `lxc ${args.join(' ')}: ${r.stderr}`)
      return r.stdout
    }
    const env = { ...process.env, CORRAL_DIR: dir, CORRAL_CONF: join(home, 'corral') }
    const info = JSON.parse(lxc(['query', '/1.0'])) as { environment: { server_support_end: string } }
    if (Date.now() > Date.parse(`${info.environment.server_support_end}T23:59:59Z`)) {
      t.skip('this release is past its support end, a moderate finding on every host')
      return
    }
    lxc(['storage', 'create', 'default', 'dir'])
    lxc(['profile', 'device', 'add', 'default', 'root', 'disk', 'path=/', 'pool=default'])
    lxc(['image', 'import', join(images, 'busybox.tar.xz'), '--alias', 'busybox'])
    lxc(['init', 'busybox', 'n1', '-c', 'security.nesting=true'])
    const shared = join(home, 'shared')
    mkdirSync(shared)
    lxc(['config', 'device', 'add', 'n1', 'data', 'disk', `source=${shared}`, 'path=/mnt'])
    const admin = makeClientCert(home, `admin${tag}`)
    const pem = readFileSync(admin.cert, 'utf8')
    lxc([
      'query',
      '-X',
      'POST',
      '-d',
      JSON.stringify({ type: 'client', name: `admin${tag}`, certificate: pem }),
      '/1.0/certificates',
    ])
    const byFormat = (format: string) => run(corralBin, ['security', 'audit', '--format', format], { env })
    const json = byFormat('json')
    assert.equal(json.status, 0, json.stdout + json.stderr)
    const findings = JSON.parse(json.stdout) as AuditFinding[]
    assert.ok(
      findings.every((f) => f.severity === 'low'),
      JSON.stringify(findings),
    )
    const ids = findings.map((f) => f.id)
    for (const id of ['nesting', 'host-disk', 'trust-unrestricted', 'socket-group'])
      assert.ok(ids.includes(id), id)
    assert.ok(!ids.includes('os-updates'), 'apt lists are out of sight')
    const yaml = byFormat('yaml')
    assert.equal(yaml.status, 0)
    const { parse } = await import('yaml')
    assert.deepEqual(parse(yaml.stdout), findings)
    const table = byFormat('table')
    assert.equal(table.status, 0)
    const rows = table.stdout
      .split('\n')
      .filter((l) => /^\| LOW /.test(l))
      .map((l) => l.split('|').map((c) => c.trim()))
    assert.deepEqual(
      rows.map((r) => [r[2], r[3]]),
      findings.map((f) => [f.id, f.subject]),
    )
    const stock = JSON.parse(lxc(['warning', 'list', '--format', 'json'])) as Warning[]
    assert.deepEqual(
      stock.map((w) => [w.type, w.entity_url]).sort(),
      findings.map((f) => [`security: ${f.id}`, f.subject]).sort(),
    )
    // Who can open the socket: the group's member, removed by the printed fix.
    const sock = findings.find((f) => f.id === 'socket-group')!
    assert.match(sock.message, new RegExp(`group "${group}".*: ${member}$`))
    assert.equal(sock.fix, `gpasswd -d ${member} ${group}`)
    const fixed = run('sh', ['-c', sock.fix])
    assert.equal(fixed.status, 0, fixed.stderr)
    const after = byFormat('json')
    assert.equal(after.status, 0)
    assert.ok(!(JSON.parse(after.stdout) as AuditFinding[]).some((f) => f.id === 'socket-group'))
  } finally {
    await cleanup(d, dir)
    rmSync(home, { recursive: true, force: true })
    run('userdel', [member])
    run('groupdel', [group])
  }
})
