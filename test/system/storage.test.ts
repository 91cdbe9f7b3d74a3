/** @module System tier: storage pools through the stock lxc client against the real corrald binary. */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, makeStateDir, repoRoot, run, startCorrald, type Corrald } from '../helpers/corrald.js'
import { stockClientEnv } from '../helpers/stock-client.js'
import { sessionSkipReason } from '../helpers/lxc-session.js'
import { btrfsSkipReason } from '../helpers/setup.js'

const skip = sessionSkipReason() ?? btrfsSkipReason()
if (skip) console.log(`# skipping storage system tests: ${skip}`)

let dir = ''
let home = ''
let daemon: Corrald | undefined

const env = () => stockClientEnv(home, { LXD_DIR: dir, EDITOR: '/bin/false' })
const lxc = (args: string[]) => run('lxc', args, { env: env() })
const mountsUnder = (): string[] =>
  run('findmnt', ['-rn', '-o', 'TARGET'])
    .stdout.split('\n')
    .filter((t) => dir !== '' && t.startsWith(`${dir}/`))
const loopsUnder = (): string[] =>
  run('losetup', ['-a', '-O', 'NAME,BACK-FILE', '-n'])
    .stdout.split('\n')
    .filter((l) => dir !== '' && l.includes(`${dir}/`))
    .map((l) => l.trim().split(/\s+/)[0]!)

before(async () => {
  if (skip) return
  dir = makeStateDir('corral-storage')
  home = mkdtempSync(join('/tmp', 'corral-storage-home-'))
  daemon = await startCorrald(dir)
})

after(async () => {
  if (skip) return
  if (daemon && daemon.proc.exitCode === null) await daemon.stop()
  // Only what this test made: mounts under its state directory and loops on its files.
  for (const target of mountsUnder().reverse()) run('umount', [target])
  for (const dev of loopsUnder()) run('losetup', ['-d', dev])
  if (mountsUnder().length === 0) await cleanup(daemon, dir)
  rmSync(home, { recursive: true, force: true })
})

test('lxc storage create makes a dir pool and a btrfs pool on a mounted loop file', { skip }, () => {
  assert.equal(lxc(['storage', 'create', 'p1', 'dir']).stdout, 'Storage pool p1 created\n')
  const r = lxc(['storage', 'create', 'p2', 'btrfs', 'size=1GiB'])
  assert.equal(r.stdout, 'Storage pool p2 created\n', r.stderr)
  const fs = run('findmnt', ['-n', '-o', 'FSTYPE', join(dir, 'storage-pools/p2')]).stdout.trim()
  assert.equal(fs, 'btrfs')
  assert.equal(loopsUnder().length, 1)
})

test('lxc storage list and show print the pools as LXD does', { skip }, () => {
  const list = lxc(['storage', 'list']).stdout
  assert.match(list, new RegExp(`\\| p1 +\\| dir +\\| ${dir}/storage-pools/p1 +\\| +\\| 0 +\\| CREATED \\|`))
  assert.match(list, new RegExp(`\\| p2 +\\| btrfs +\\| ${dir}/disks/p2.img +\\| +\\| 0 +\\| CREATED \\|`))
  assert.equal(
    lxc(['storage', 'show', 'p2']).stdout,
    `config:\n  size: 1GiB\n  source: ${dir}/disks/p2.img\ndescription: ""\nname: p2\ndriver: btrfs\nused_by: []\nstatus: Created\nlocations:\n- none\n`,
  )
})

test('lxc storage set grows a btrfs pool online and refuses to shrink it', { skip }, () => {
  const total = () =>
    (JSON.parse(lxc(['query', '/1.0/storage-pools/p2/resources']).stdout) as { space: { total: number } })
      .space.total
  assert.ok(total() <= 2 ** 30, `total ${total()}`)
  const grown = lxc(['storage', 'set', 'p2', 'size=2GiB'])
  assert.equal(grown.status, 0, grown.stderr)
  assert.ok(total() > 1.5 * 2 ** 30, `total ${total()}`)
  assert.equal(lxc(['storage', 'get', 'p2', 'size']).stdout, '2GiB\n')
  assert.equal(lxc(['storage', 'set', 'p2', 'size=512MiB']).stderr, 'Error: Pool cannot be shrunk\n')
  assert.equal(lxc(['storage', 'get', 'p2', 'size']).stdout, '2GiB\n')
})

test('lxc storage create refuses an unknown driver, an unknown key and a taken name', { skip }, () => {
  const bad = lxc(['storage', 'create', 'p3', 'zfs9'])
  assert.equal(bad.status, 1)
  assert.equal(bad.stderr, 'Error: Storage pool driver "zfs9" is not supported\n')
  assert.equal(lxc(['storage', 'create', 'p3', 'dir', 'foo=1']).stderr, 'Error: Invalid option "foo"\n')
  assert.equal(lxc(['storage', 'create', 'p1', 'dir']).status, 1)
  assert.equal(existsSync(join(dir, 'storage-pools/p3')), false)
})

test(
  'a restarted daemon remounts its pools, and marks one it cannot mount Unavailable',
  { skip },
  async () => {
    assert.equal(lxc(['storage', 'create', 'p3', 'btrfs', 'size=256MiB']).status, 0)
    assert.equal(await daemon!.stop(), 0)
    assert.equal(mountsUnder().length, 2, 'stopping the daemon leaves pools mounted')
    for (const target of mountsUnder()) run('umount', [target])
    unlinkSync(join(dir, 'disks/p3.img'))
    daemon = await startCorrald(dir)
    assert.deepEqual(mountsUnder().sort(), [join(dir, 'storage-pools/p2')])
    assert.match(lxc(['storage', 'show', 'p3']).stdout, /^status: Unavailable$/m)
    assert.match(lxc(['storage', 'show', 'p2']).stdout, /^status: Created$/m)
    assert.equal(lxc(['storage', 'delete', 'p3']).stdout, 'Storage pool p3 deleted\n')
  },
)

test(
  'instances from one image on btrfs are snapshots of one cached image volume; a used pool stays',
  { skip },
  () => {
    const images = mkdtempSync(join('/tmp', 'corral-storage-img-'))
    try {
      const built = run('bash', [join(repoRoot, 'scripts/build-busybox-image.sh'), images])
      assert.equal(built.status, 0, built.stderr)
      assert.equal(lxc(['image', 'import', join(images, 'busybox.tar.xz'), '--alias', 'bb']).status, 0)
      for (const c of ['c1', 'c2']) {
        const r = lxc(['init', 'bb', c, '-s', 'p2'])
        assert.equal(r.status, 0, r.stderr)
      }
      const pool = join(dir, 'storage-pools/p2')
      const [fingerprint] = readdirSync(join(pool, 'images'))
      const uuid = (path: string) =>
        /^\s*UUID:\s*(\S+)/m.exec(run('btrfs', ['subvolume', 'show', path]).stdout)?.[1]
      const parent = (path: string) =>
        /Parent UUID:\s*(\S+)/.exec(run('btrfs', ['subvolume', 'show', path]).stdout)?.[1]
      const imageUuid = uuid(join(pool, 'images', fingerprint!))
      assert.ok(imageUuid)
      assert.equal(parent(join(pool, 'containers/c1')), imageUuid)
      assert.equal(parent(join(pool, 'containers/c2')), imageUuid)
      assert.match(
        lxc(['storage', 'show', 'p2']).stdout,
        /used_by:\n- \/1.0\/instances\/c1\n- \/1.0\/instances\/c2\n/,
      )
      const refused = lxc(['storage', 'delete', 'p2'])
      assert.equal(refused.stderr, 'Error: The storage pool is currently in use\n')
      assert.equal(run('findmnt', ['-n', '-o', 'FSTYPE', pool]).stdout.trim(), 'btrfs')
      assert.equal(lxc(['delete', 'c1', 'c2']).status, 0)
      assert.deepEqual(readdirSync(join(pool, 'containers')), [])
    } finally {
      rmSync(images, { recursive: true, force: true })
    }
  },
)

test('lxc storage delete removes the pools, their mounts, loop devices and files', { skip }, () => {
  assert.equal(lxc(['storage', 'delete', 'p2']).stdout, 'Storage pool p2 deleted\n')
  assert.equal(lxc(['storage', 'delete', 'p1']).stdout, 'Storage pool p1 deleted\n')
  assert.doesNotMatch(lxc(['storage', 'list']).stdout, /p1|p2/)
  assert.deepEqual(mountsUnder(), [])
  assert.deepEqual(loopsUnder(), [])
  assert.equal(existsSync(join(dir, 'disks/p2.img')), false)
  assert.equal(existsSync(join(dir, 'storage-pools/p1')), false)
})
