/**
 * @module System tier: `lxc export` and `lxc import` with the stock client (LXD's backup tarball:
 * backup/index.yaml, backup/container/, backup/snapshots/<name>/), the /1.0/instances/NAME/backups
 * endpoints with expiry, and hostile tarballs refused with nothing stored.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true, pool: true })
if (skip) console.log(`# skipping backup system tests: ${skip}`)
const tag = process.pid % 100000
const src = `bks${tag}`
const names = [src, `bka${tag}`, `bkb${tag}`, `bkc${tag}`]
let s: LxcSession
let work = ''

/** Every file's checksum and every entry's type, mode and owner under a volume's rootfs. */
export function treeDigest(volume: string): string {
  const root = join(volume, 'rootfs')
  const sums = run('sh', [
    '-c',
    'cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum',
    'sh',
    root,
  ])
  const meta = run('sh', ['-c', 'cd "$1" && find . -printf "%p %y %m %U %G %l\\n" | sort', 'sh', root])
  assert.equal(sums.status, 0, sums.stderr)
  return `${sums.stdout}\n${meta.stdout}`
}

const volume = (name: string) => join(s.dir, 'storage-pools/default/containers', name)
const snapVolume = (name: string, snap: string) =>
  join(s.dir, 'storage-pools/default/containers-snapshots', name, snap)
const snapshotNames = (name: string) =>
  (JSON.parse(s.must(['query', `/1.0/instances/${name}/snapshots`])) as string[]).map((u) =>
    u.split('/').pop(),
  )
const backups = (name: string) =>
  JSON.parse(s.must(['query', `/1.0/instances/${name}/backups?recursion=1`])) as {
    name: string
    expires_at: string
    instance_only: boolean
  }[]
const curl = (args: string[]) => run('curl', ['-sS', '--unix-socket', join(s.dir, 'unix.socket'), ...args])

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-backup', { image: true, pool: true })
  work = mkdtempSync('/tmp/corral-backup-work-')
  s.must(['launch', 'busybox', src])
  s.must([
    'exec',
    src,
    '--',
    'sh',
    '-c',
    'echo first > /root/file && dd if=/dev/urandom of=/root/blob bs=1k count=32 2>/dev/null',
  ])
  s.must(['snapshot', src, 's1'])
  s.must(['exec', src, '--', 'sh', '-c', 'echo second > /root/file && ln -s file /root/link && sync'])
  s.must(['snapshot', src, 's2'])
  s.must(['stop', src, '--force'])
})

after(async () => {
  if (skip) return
  for (const n of names) s.lxc(['delete', '--force', n])
  await s.close(names)
  rmSync(work, { recursive: true, force: true })
})

test(
  "lxc export writes LXD's backup tarball; lxc import gives the instance back with its snapshots",
  { skip },
  () => {
    const file = join(work, 'full.tar.gz')
    const out = s.must(['export', src, file])
    assert.match(out, /Backup exported successfully!/)
    const listing = run('tar', ['-tzf', file]).stdout.split('\n')
    assert.equal(listing[0], 'backup/index.yaml')
    for (const m of [
      'backup/container/rootfs/root/file',
      'backup/container/metadata.yaml',
      'backup/container/templates/hostname.tpl',
      'backup/snapshots/s1/rootfs/root/file',
      'backup/snapshots/s2/rootfs/root/link',
    ])
      assert.ok(listing.includes(m), `${m} in the tarball`)
    const index = run('tar', ['-xzOf', file, 'backup/index.yaml']).stdout
    assert.match(index, new RegExp(`^name: ${src}$`, 'm'))
    assert.match(index, /^backend: dir$/m)
    assert.match(index, /^pool: default$/m)
    assert.match(index, /^snapshots:\n {2}- s1\n {2}- s2$/m)
    assert.deepEqual(backups(src), [], 'the client removes the backup once downloaded')
    const copy = names[1]!
    assert.equal(s.lxc(['import', file, copy]).status, 0)
    assert.deepEqual(snapshotNames(copy), ['s1', 's2'])
    assert.equal(treeDigest(volume(copy)), treeDigest(volume(src)), 'the instance files byte for byte')
    for (const snap of ['s1', 's2'])
      assert.equal(treeDigest(snapVolume(copy, snap)), treeDigest(snapVolume(src, snap)), `snapshot ${snap}`)
    s.must(['start', copy])
    assert.equal(s.must(['exec', copy, '--', 'cat', '/root/file']), 'second\n')
    s.must(['restore', copy, 's1'])
    assert.equal(s.must(['exec', copy, '--', 'cat', '/root/file']), 'first\n')
    s.must(['stop', copy, '--force'])
    // The same file again without a name: the source's name is taken, so it is refused as it stands.
    const again = s.lxc(['import', file])
    assert.equal(again.status, 1)
    assert.match(again.stderr, new RegExp(`Instance "${src}" already exists`))
  },
)

test(
  'lxc export --instance-only and --optimized-storage on dir; lxc import into another pool by --storage',
  { skip },
  () => {
    const file = join(work, 'only.tar.gz')
    s.must(['export', src, file, '--instance-only', '--optimized-storage'])
    const listing = run('tar', ['-tzf', file]).stdout
    assert.doesNotMatch(listing, /backup\/snapshots/)
    assert.match(run('tar', ['-xzOf', file, 'backup/index.yaml']).stdout, /^optimized: true$/m)
    s.must(['storage', 'create', `dp${tag}`, 'dir'])
    const copy = names[2]!
    s.must(['import', file, copy, '--storage', `dp${tag}`])
    assert.deepEqual(snapshotNames(copy), [])
    assert.match(s.must(['config', 'device', 'get', copy, 'root', 'pool']), new RegExp(`^dp${tag}$`, 'm'))
    assert.equal(
      treeDigest(join(s.dir, 'storage-pools', `dp${tag}`, 'containers', copy)),
      treeDigest(volume(src)),
    )
    s.must(['delete', copy])
    s.must(['storage', 'delete', `dp${tag}`])
  },
)

test('the backups endpoints: create, list, get, rename, export and delete, and expiry', { skip }, () => {
  s.must([
    'query',
    '--wait',
    '-X',
    'POST',
    `/1.0/instances/${src}/backups`,
    '--data',
    JSON.stringify({ name: 'keep', compression_algorithm: 'xz' }),
  ])
  const soon = new Date(Date.now() + 4000).toISOString()
  s.must([
    'query',
    '--wait',
    '-X',
    'POST',
    `/1.0/instances/${src}/backups`,
    '--data',
    JSON.stringify({ expires_at: soon, instance_only: true }),
  ])
  const list = backups(src)
  assert.deepEqual(
    list.map((b) => b.name),
    ['keep', 'backup0'],
  )
  assert.equal(list[0]!.expires_at, '0001-01-01T00:00:00Z')
  assert.equal(list[1]!.instance_only, true)
  assert.deepEqual(JSON.parse(s.must(['query', `/1.0/instances/${src}/backups`])), [
    `/1.0/instances/${src}/backups/keep`,
    `/1.0/instances/${src}/backups/backup0`,
  ])
  s.must(['query', '--wait', '-X', 'POST', `/1.0/instances/${src}/backups/keep`, '--data', '{"name":"kept"}'])
  const got = JSON.parse(s.must(['query', `/1.0/instances/${src}/backups/kept`])) as { name: string }
  assert.equal(got.name, 'kept')
  const file = join(work, 'kept.tar.xz')
  const dl = curl([
    '-o',
    file,
    '-w',
    '%{http_code}',
    `http://corral/1.0/instances/${src}/backups/kept/export`,
  ])
  assert.equal(dl.stdout, '200')
  assert.equal(run('xz', ['-t', file]).status, 0, 'xz as asked')
  assert.match(run('tar', ['-tJf', file]).stdout, /backup\/snapshots\/s2\/rootfs\/root\/link/)
  const taken = s.lxc(['query', '-X', 'POST', `/1.0/instances/${src}/backups`, '--data', '{"name":"kept"}'])
  assert.equal(taken.status, 1)
  assert.match(taken.stderr, /already exists/)
  const slash = s.lxc(['query', '-X', 'POST', `/1.0/instances/${src}/backups`, '--data', '{"name":"../x"}'])
  assert.match(slash.stderr, /Backup names may not contain slashes/)
  // Past its expiry a backup is gone from the list and from the disk.
  run('sleep', ['5'])
  assert.deepEqual(
    backups(src).map((b) => b.name),
    ['kept'],
  )
  const dir = join(s.dir, 'backups/instances', src)
  assert.deepEqual(readdirSync(dir).sort(), ['kept', 'kept.json'])
  s.must(['query', '--wait', '-X', 'DELETE', `/1.0/instances/${src}/backups/kept`])
  assert.deepEqual(backups(src), [])
  assert.deepEqual(readdirSync(dir), [])
  const missing = s.lxc(['query', `/1.0/instances/${src}/backups/kept`])
  assert.equal(missing.status, 1)
})
