/**
 * @module System tier: `lxc export` and `lxc import` with the stock client (LXD's backup tarball:
 * backup/index.yaml, backup/container/, backup/snapshots/<name>/), the /1.0/instances/NAME/backups
 * endpoints with expiry, and hostile tarballs refused with nothing stored.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { freePort, run, startCorrald } from '../helpers/corrald.js'
import { addRestrictedProject, btrfsSkipReason, queryWait, shellIn } from '../helpers/setup.js'
import { trustTenant, useTenantRemote } from '../helpers/tenant.js'
import { volumeDigest } from '../helpers/tree-digest.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true, pool: true })
if (skip) console.log(`# skipping backup system tests: ${skip}`)
const btrfsReason = btrfsSkipReason()
if (!skip && btrfsReason) console.log(`# skipping the btrfs backup test: ${btrfsReason}`)
const tag = process.pid % 100000
const src = `bks${tag}`
const names = [src, `bka${tag}`, `bkb${tag}`, `bkc${tag}`, `bkd${tag}`, `bke${tag}`, `bkf${tag}`, `bkg${tag}`]
let s: LxcSession
let work = ''

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
  shellIn(
    s.must,
    src,
    'echo first > /root/file && dd if=/dev/urandom of=/root/blob bs=1k count=32 2>/dev/null',
  )
  s.must(['snapshot', src, 's1'])
  shellIn(s.must, src, 'echo second > /root/file && ln -s file /root/link && sync')
  s.must(['snapshot', src, 's2'])
  s.must(['stop', src, '--force'])
})

after(async () => {
  if (skip) return
  for (const n of names) s.lxc(['delete', '--force', n])
  if (!btrfsReason) s.lxc(['storage', 'delete', `bb${tag}`])
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
      'backup/container/backup.yaml',
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
    assert.equal(volumeDigest(volume(copy)), volumeDigest(volume(src)), 'the instance files byte for byte')
    for (const snap of ['s1', 's2'])
      assert.equal(
        volumeDigest(snapVolume(copy, snap)),
        volumeDigest(snapVolume(src, snap)),
        `snapshot ${snap}`,
      )
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
      volumeDigest(join(s.dir, 'storage-pools', `dp${tag}`, 'containers', copy)),
      volumeDigest(volume(src)),
    )
    s.must(['delete', copy])
    s.must(['storage', 'delete', `dp${tag}`])
  },
)

test('the backups endpoints: create, list, get, rename, export and delete, and expiry', { skip }, () => {
  queryWait(s.must, 'POST', `/1.0/instances/${src}/backups`, { name: 'keep', compression_algorithm: 'xz' })
  const soon = new Date(Date.now() + 4000).toISOString()
  queryWait(s.must, 'POST', `/1.0/instances/${src}/backups`, { expires_at: soon, instance_only: true })
  const list = backups(src)
  assert.deepEqual(
    list.map((b) => b.name),
    ['keep', 'backup0'],
  )
  assert.equal(list[0]!.expires_at, '0001-01-01T00:00:00Z')
  assert.equal(list[1]!.instance_only, true)
  // recursion=2 carries them too (what lxc info prints), null when there are none.
  const full = JSON.parse(s.must(['query', `/1.0/instances/${src}?recursion=2`])) as {
    backups: { name: string }[] | null
  }
  assert.deepEqual(
    full.backups?.map((b) => b.name),
    ['keep', 'backup0'],
  )
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
  // The project's backups.compression_algorithm, when set, is used when the request names none.
  s.must(['project', 'set', 'default', 'backups.compression_algorithm', 'zstd'])
  try {
    const zfile = join(work, 'project.tar.zst')
    s.must(['export', src, zfile, '--instance-only'])
    assert.deepEqual([...readFileSync(zfile).subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd], 'zstd')
  } finally {
    s.must(['project', 'unset', 'default', 'backups.compression_algorithm'])
  }
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
  assert.equal(
    (JSON.parse(s.must(['query', `/1.0/instances/${src}?recursion=2`])) as { backups: unknown }).backups,
    null,
  )
  const missing = s.lxc(['query', `/1.0/instances/${src}/backups/kept`])
  assert.equal(missing.status, 1)
})

/** One member of a crafted tarball. */
interface Member {
  name: string
  type?: 'dir' | 'file' | 'symlink' | 'hardlink' | 'block' | 'char'
  content?: string
  link?: string
  dev?: [number, number]
}

/** Writes a gzipped tarball with exactly these members (python's tarfile: names as given, nothing normalized). */
function craft(file: string, members: Member[]): string {
  const spec = join(work, 'spec.json')
  writeFileSync(spec, JSON.stringify(members))
  const script = `
import io, json, sys, tarfile
kinds = {"dir": tarfile.DIRTYPE, "file": tarfile.REGTYPE, "symlink": tarfile.SYMTYPE,
         "hardlink": tarfile.LNKTYPE, "block": tarfile.BLKTYPE, "char": tarfile.CHRTYPE}
with tarfile.open(sys.argv[2], "w:gz", format=tarfile.GNU_FORMAT) as tar:
    for m in json.load(open(sys.argv[1])):
        info = tarfile.TarInfo(m["name"])
        info.type = kinds[m.get("type", "file")]
        info.mode = 0o755 if info.type == tarfile.DIRTYPE else 0o644
        data = m.get("content", "").encode()
        if info.type == tarfile.REGTYPE:
            info.size = len(data)
        info.linkname = m.get("link", "")
        if "dev" in m:
            info.devmajor, info.devminor = m["dev"]
        tar.addfile(info, io.BytesIO(data) if info.type == tarfile.REGTYPE else None)
`
  const r = run('python3', ['-c', script, spec, file])
  assert.equal(r.status, 0, r.stderr)
  return file
}

/** index.yaml for a crafted backup of `name`, with `config` and `extra` top-level keys. */
function indexOf(name: string, config: Record<string, string> = {}, extra = ''): string {
  const conf = Object.entries(config)
    .map(([k, v]) => `      ${k}: ${JSON.stringify(v)}\n`)
    .join('')
  return `name: ${name}\nbackend: dir\npool: default\ntype: container\n${extra}config:\n  container:\n    architecture: x86_64\n    profiles: [default]\n    devices: {}\n    config:${conf ? `\n${conf}` : ' {}\n'}`
}

/** A minimal, well-formed backup: its members, to which a test adds or from which it swaps one. */
function goodMembers(name: string, index = indexOf(name)): Member[] {
  return [
    { name: 'backup', type: 'dir' },
    { name: 'backup/index.yaml', content: index },
    { name: 'backup/container', type: 'dir' },
    { name: 'backup/container/metadata.yaml', content: 'architecture: x86_64\ncreation_date: 1\n' },
    { name: 'backup/container/rootfs', type: 'dir' },
    { name: 'backup/container/rootfs/etc', type: 'dir' },
    { name: 'backup/container/rootfs/etc/hostname', content: `${name}\n` },
  ]
}

const evil = `/tmp/corral-backup-evil-${tag}`

/** What an import could have left: instances, volumes, staging files, backups, the marker. */
function storedState(project = 'default'): string {
  const ls = (p: string) => (existsSync(p) ? readdirSync(p).sort().join(',') : '-')
  return [
    s.must(['list', '--format', 'csv', '-c', 'n', '--project', project]),
    ls(join(s.dir, 'storage-pools/default/containers')),
    ls(join(s.dir, 'storage-pools/default/containers-snapshots')),
    ls(join(s.dir, 'images')),
    ls(join(s.dir, 'backups/instances')),
    existsSync(evil) ? 'EVIL' : '',
  ].join('\n')
}

test('hostile or corrupt backup tarballs are refused with a 4xx and nothing stored', { skip }, () => {
  const n = `bkh${tag}`
  const cases: [string, Member[], RegExp][] = [
    [
      'dotdot',
      [...goodMembers(n), { name: `backup/container/../../../..${evil}`, content: 'x' }],
      /".." path component/,
    ],
    ['absolute', [...goodMembers(n), { name: evil, content: 'x' }], /absolute path/],
    ['outside', [...goodMembers(n), { name: 'etc/passwd', content: 'x' }], /outside backup\//],
    [
      'rootfs symlink',
      [
        ...goodMembers(n).filter((m) => !m.name.startsWith('backup/container/rootfs')),
        { name: 'backup/container/rootfs', type: 'symlink', link: '/' },
        { name: 'backup/container/rootfs/tmp/x', content: 'x' },
      ],
      /wrong type/,
    ],
    [
      'snapshots symlink',
      [
        ...goodMembers(n),
        { name: 'backup/snapshots', type: 'symlink', link: '/tmp' },
        { name: `backup/snapshots/corral-backup-evil-${tag}/rootfs/x`, content: 'x' },
      ],
      /wrong type/,
    ],
    [
      'below a symlink',
      [
        ...goodMembers(n),
        { name: 'backup/container/rootfs/up', type: 'symlink', link: '/tmp' },
        { name: `backup/container/rootfs/up/corral-backup-evil-${tag}`, content: 'x' },
      ],
      /below a symbolic link/,
    ],
    [
      'symlinked index',
      [
        ...goodMembers(n).filter((m) => m.name !== 'backup/index.yaml'),
        { name: 'backup/index.yaml', type: 'symlink', link: '/etc/shadow' },
      ],
      /wrong type/,
    ],
    ['missing index', goodMembers(n).filter((m) => m.name !== 'backup/index.yaml'), /index\.yaml is missing/],
    [
      'hard link out of its volume',
      [...goodMembers(n), { name: 'backup/container/rootfs/shadow', type: 'hardlink', link: '/etc/shadow' }],
      /hard link outside its volume/,
    ],
    [
      'block device',
      [
        ...goodMembers(n),
        { name: 'backup/container/rootfs/dev', type: 'dir' },
        { name: 'backup/container/rootfs/dev/sda', type: 'block', dev: [8, 0] },
      ],
      /block device/,
    ],
    [
      'another project',
      goodMembers(n, indexOf(n).replace('    architecture:', '    project: other\n    architecture:')),
      /belongs to project "other"/,
    ],
    [
      'a pool that is not here',
      goodMembers(n, indexOf(n).replace('pool: default', `pool: nosuch${tag}`)),
      /storage pool "nosuch\d+" named by the backup is not on this server/,
    ],
    [
      'a snapshot the index does not name',
      [
        ...goodMembers(n),
        { name: 'backup/snapshots', type: 'dir' },
        { name: 'backup/snapshots/s9', type: 'dir' },
        { name: 'backup/snapshots/s9/rootfs', type: 'dir' },
      ],
      /snapshot "s9" is not in the index/,
    ],
    ['not YAML', goodMembers(n, 'name: [unclosed\n'), /index\.yaml is not YAML|Invalid backup/],
  ]
  const before = storedState()
  for (const [what, members, message] of cases) {
    const file = craft(join(work, `hostile-${what.replace(/\W+/g, '-')}.tar.gz`), members)
    const r = s.lxc(['import', file])
    assert.equal(r.status, 1, `${what}: ${r.stdout}`)
    assert.match(r.stderr, message, what)
    assert.equal(storedState(), before, `${what}: nothing stored`)
  }
  // The refusal is LXD's error envelope with a 4xx, before any operation.
  const raw = curl([
    '-X',
    'POST',
    '-H',
    'Content-Type: application/octet-stream',
    '--data-binary',
    `@${join(work, 'hostile-absolute.tar.gz')}`,
    'http://corral/1.0/instances',
  ])
  const envelope = JSON.parse(raw.stdout) as { type: string; error_code: number; error: string }
  assert.equal(envelope.type, 'error')
  assert.equal(envelope.error_code, 400)
  assert.match(envelope.error, /absolute path/)
  const garbage = join(work, 'garbage.tar.gz')
  writeFileSync(garbage, 'not a tarball at all')
  const r = s.lxc(['import', garbage])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /Invalid image archive|Invalid backup/)
  assert.equal(storedState(), before)
  // The same layout, well formed, imports: the refusals above were about what each case changed.
  const good = craft(join(work, 'good.tar.gz'), goodMembers(n))
  assert.equal(s.lxc(['import', good]).status, 0)
  assert.equal(readFileSync(join(volume(n), 'rootfs/etc/hostname'), 'utf8'), `${n}\n`)
  s.must(['delete', n])
})

test(
  'a restricted project: import and copy refuse what the project forbids; its own instances copy and import',
  { skip },
  async () => {
    const project = `bt${tag}`
    const port = await freePort()
    s.must(['config', 'set', 'core.https_address', `127.0.0.1:${port}`])
    addRestrictedProject(s.must, project, ['features.images=false', 'features.profiles=true'])
    const { env } = trustTenant(s.must, work, project, join(work, 'tenant-home'))
    const tenant = (args: string[]) => run('lxc', [...args, '--project', project], { env })
    const tenantQuery = (args: string[]) => run('lxc', args, { env })
    useTenantRemote(env, port)
    const marker = `/tmp/corral-backup-hook-${tag}`
    try {
      // Exported by the admin from the default project (its index says so); the tenant's import is refused below.
      const fromDefault = join(work, 'from-default.tar.gz')
      s.must(['export', src, fromDefault, '--instance-only'])
      const before = storedState(project)
      const hostile: [string, Record<string, string>, RegExp][] = [
        [
          'raw.lxc hook',
          { 'raw.lxc': `lxc.hook.pre-start = /bin/sh -c "touch ${marker}"` },
          /Use of low-level config "raw\.lxc" .* is forbidden/,
        ],
        ['privileged', { 'security.privileged': 'true' }, /Privileged containers are forbidden/],
        ['raw.idmap', { 'raw.idmap': 'both 0 0' }, /Use of low-level "raw\.idmap" .* is forbidden/],
      ]
      for (const [what, config, message] of hostile) {
        const file = craft(
          join(work, `tenant-${what.replace(/\W+/g, '-')}.tar.gz`),
          goodMembers(`tn${tag}`, indexOf(`tn${tag}`, config)),
        )
        const r = tenant(['import', file])
        assert.equal(r.status, 1, `${what}: ${r.stdout}`)
        assert.match(r.stderr, message, what)
        assert.equal(storedState(project), before, `${what}: nothing stored`)
      }
      const r = tenant(['import', fromDefault])
      assert.equal(r.status, 1)
      assert.match(r.stderr, /belongs to project "default"/)
      // Another project's instance is not there for a copy.
      const cross = tenantQuery([
        'query',
        '-X',
        'POST',
        `/1.0/instances?project=${project}`,
        '--data',
        JSON.stringify({ name: `tx${tag}`, source: { type: 'copy', source: src, project: 'default' } }),
      ])
      assert.equal(cross.status, 1)
      assert.match(cross.stderr, /not found/i)
      assert.equal(storedState(project), before)
      // The tenant's own: a clean backup imports, a copy works, a copy adding a forbidden key does not.
      const own = craft(join(work, 'tenant-good.tar.gz'), goodMembers(`tg${tag}`))
      const imported = tenant(['import', own])
      assert.equal(imported.status, 0, imported.stderr)
      const copied = tenant(['copy', `tg${tag}`, `tc${tag}`])
      assert.equal(copied.status, 0, copied.stderr)
      const bad = tenant(['copy', `tg${tag}`, `tb${tag}`, '-c', 'security.privileged=true'])
      assert.equal(bad.status, 1)
      assert.match(bad.stderr, /privileged|forbidden|not allowed/i)
      assert.doesNotMatch(tenant(['list', '--format', 'csv', '-c', 'n']).stdout, new RegExp(`tb${tag}`))
      // restricted.backups blocks exports by default, as in LXD.
      const exp = tenant(['export', `tg${tag}`, join(work, 'tenant-export.tar.gz')])
      assert.equal(exp.status, 1)
      assert.match(exp.stderr, /doesn't allow for backup creation/)
      assert.equal(existsSync(marker), false, 'no hook ran')
    } finally {
      for (const n of [`tg${tag}`, `tc${tag}`, `tb${tag}`, `tn${tag}`])
        s.lxc(['delete', '--force', n, '--project', project])
      rmSync(marker, { force: true })
    }
  },
)

test(
  'on btrfs: a running instance backs up from a read-only snapshot, and imports as subvolumes',
  { skip: skip ?? btrfsReason },
  () => {
    const pool = `bb${tag}`
    const [live, back] = [names[3]!, names[4]!]
    s.must(['storage', 'create', pool, 'btrfs', 'size=1GiB'])
    s.must(['launch', 'busybox', live, '-s', pool])
    shellIn(s.must, live, 'echo kept > /root/file && sync')
    s.must(['snapshot', live, 'b1'])
    const mount = join(s.dir, 'storage-pools', pool)
    const before = volumeDigest(join(mount, 'containers', live))
    const file = join(work, 'btrfs.tar.gz')
    s.must(['export', live, file])
    assert.match(s.must(['list', live, '--format', 'csv', '-c', 's']), /^RUNNING$/m)
    assert.deepEqual(
      readdirSync(join(mount, 'containers-snapshots', live)),
      ['b1'],
      'the read-only view is gone',
    )
    s.must(['import', file, back, '--storage', pool])
    assert.equal(volumeDigest(join(mount, 'containers', back)), before)
    const show = (p: string) => run('btrfs', ['subvolume', 'show', p])
    assert.equal(show(join(mount, 'containers', back)).status, 0, 'the instance is a subvolume')
    assert.match(show(join(mount, 'containers-snapshots', back, 'b1')).stdout, /Flags:\s*readonly/)
    const optimized = s.lxc(['export', live, join(work, 'opt.tar.gz'), '--optimized-storage'])
    assert.equal(optimized.status, 1)
    assert.match(optimized.stderr, /Optimized backups of "btrfs" pools are not supported/)
    s.must(['delete', '--force', live, back])
  },
)

test('the daemon sweeps expired backups away at start, whoever looks', { skip }, async () => {
  const soon = new Date(Date.now() + 2000).toISOString()
  queryWait(s.must, 'POST', `/1.0/instances/${src}/backups`, {
    name: 'brief',
    expires_at: soon,
    instance_only: true,
  })
  const dir = join(s.dir, 'backups/instances', src)
  assert.deepEqual(readdirSync(dir).sort(), ['brief', 'brief.json'])
  await s.daemon().stop()
  run('sleep', ['3'])
  s.setDaemon(await startCorrald(s.dir))
  // No request is made: the sweep at start removes it (polled, as the socket answers first).
  for (let i = 0; i < 50 && readdirSync(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 100))
  assert.deepEqual(readdirSync(dir), [], 'removed at start, before any request')
})

test('backups follow their instance: moved by a rename, removed with it', { skip }, () => {
  const [a, b] = [names[5]!, names[6]!]
  s.must(['copy', src, a, '--instance-only'])
  // A snapshot name with sed's & in it (tar's --transform) goes out and comes back as it is.
  s.must(['snapshot', a, 'r&d'])
  const amp = join(work, 'amp.tar.gz')
  s.must(['export', a, amp])
  assert.match(run('tar', ['-tzf', amp]).stdout, /^backup\/snapshots\/r&d\/rootfs\/root\/file$/m)
  s.must(['import', amp, `${b}x`])
  assert.deepEqual(snapshotNames(`${b}x`), ['r&d'])
  s.must(['delete', `${b}x`])
  s.must(['query', '--wait', '-X', 'POST', `/1.0/instances/${a}/backups`, '--data', '{"name":"mine"}'])
  s.must(['rename', a, b])
  assert.equal(existsSync(join(s.dir, 'backups/instances', a)), false)
  assert.deepEqual(
    backups(b).map((x) => x.name),
    ['mine'],
  )
  const dl = curl([
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    `http://corral/1.0/instances/${b}/backups/mine/export`,
  ])
  assert.equal(dl.stdout, '200')
  s.must(['delete', b])
  assert.equal(existsSync(join(s.dir, 'backups/instances', b)), false)
})

test('a running instance on dir backs up file by file and keeps running', { skip }, () => {
  const back = names[7]!
  s.must(['start', src])
  try {
    shellIn(s.must, src, 'echo while-running > /root/live && sync')
    const before = volumeDigest(volume(src))
    const file = join(work, 'running.tar.gz')
    s.must(['export', src, file, '--instance-only'])
    assert.match(s.must(['list', src, '--format', 'csv', '-c', 's']), /^RUNNING$/m)
    s.must(['import', file, back])
    assert.equal(volumeDigest(volume(back)), before)
  } finally {
    s.must(['stop', src, '--force'])
  }
  s.must(['delete', back])
})
