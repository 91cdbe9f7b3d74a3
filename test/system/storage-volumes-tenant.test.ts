/**
 * @module System tier: custom volumes as a hostile tenant (a certificate restricted to a
 * restricted project, the stock client over TLS). It cannot reach another project's volume, cannot
 * make a volume name a host path, cannot get past the project's limits.disk or its snapshot
 * block; the admin's volume and the host are untouched. Its own volume works (positive control).
 */
import assert from 'node:assert/strict'
import { lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { freePort, run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { addRestrictedProject } from '../helpers/setup.js'
import { tenantCall, trustTenant, useTenantRemote } from '../helpers/tenant.js'

const skip = sessionSkipReason({ image: true, pool: true })
if (skip) console.log(`# skipping storage volume tenant tests: ${skip}`)
const tag = process.pid % 100000
const project = `tv${tag}`
const inst = `tvc${tag}`
let s: LxcSession
let work = ''
let tenantEnv: NodeJS.ProcessEnv
let call: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Envelope }>

interface Envelope {
  type: string
  error?: string
}

const btrfs = `tvb${tag}`
const btrfsSkip =
  skip ??
  (run('which', ['mkfs.btrfs']).status !== 0 || !readFileSync('/proc/filesystems', 'utf8').includes('btrfs')
    ? 'no btrfs here (scripts/install-deps.sh installs btrfs-progs)'
    : undefined)
if (btrfsSkip && !skip) console.log(`# skipping the btrfs limits.disk test: ${btrfsSkip}`)
const tenantLxc = (args: string[]) => run('lxc', [...args, '--project', project], { env: tenantEnv })
const secretPath = () => join(s.dir, 'storage-pools', 'default', 'custom', 'default_secret')
/** Mounts under the state directory, as findmnt lists them. */
const mountsUnder = () =>
  run('findmnt', ['-rn', '-o', 'SOURCE,TARGET'])
    .stdout.split('\n')
    .filter((l) => l.includes(s.dir))

/** A tenant command that must fail with a message. */
function refused(args: string[], message: RegExp): void {
  const r = tenantLxc(args)
  assert.notEqual(r.status, 0, `lxc ${args.join(' ')} should fail: ${r.stdout}`)
  assert.match(r.stderr, message)
}

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-voltenant', { image: true, pool: true })
  work = mkdtempSync('/tmp/corral-voltenant-')
  const port = await freePort()
  s.must(['config', 'set', 'core.https_address', `127.0.0.1:${port}`])
  addRestrictedProject(s.must, project, ['features.images=false', 'limits.disk=100MiB'])
  // limits.disk counts every instance's root disk size too.
  s.must(['profile', 'device', 'set', 'default', 'root', 'size=10MiB', '--project', project])
  if (!btrfsSkip) s.must(['storage', 'create', btrfs, 'btrfs', 'size=512MiB'])
  // The admin's own volume, in the default project, with a secret in it.
  s.must(['storage', 'volume', 'create', 'default', 'secret'])
  writeFileSync(join(secretPath(), 'key'), 'admin secret\n')
  const tenant = trustTenant(s.must, work, project, join(work, 'home'))
  call = tenantCall<Envelope>(port, tenant.cert, s.dir)
  tenantEnv = tenant.env
  useTenantRemote(tenantEnv, port)
  const launched = tenantLxc(['launch', 'busybox', inst])
  assert.equal(launched.status, 0, launched.stderr)
})

after(async () => {
  if (skip || !s) return
  s.lxc(['delete', inst, '--force', '--project', project])
  for (const v of ['own', 'own2', 'ownc'])
    s.lxc(['storage', 'volume', 'delete', 'default', v, '--project', project])
  s.lxc(['storage', 'volume', 'delete', 'default', 'secret'])
  for (const v of ['q1', 'q2']) s.lxc(['storage', 'volume', 'delete', btrfs, v, '--project', project])
  if (!btrfsSkip) s.lxc(['storage', 'delete', btrfs])
  await s.close()
  rmSync(work, { recursive: true, force: true })
})

test('the tenant cannot attach, list, read or copy a volume of another project', { skip }, async () => {
  refused(
    ['config', 'device', 'add', inst, 'steal', 'disk', 'pool=default', 'source=secret', 'path=/s'],
    /not found/,
  )
  assert.doesNotMatch(tenantLxc(['config', 'show', inst]).stdout, /steal/)
  for (const path of [
    '/1.0/storage-pools/default/volumes/custom/secret?project=default',
    '/1.0/storage-pools/default/volumes?project=default',
  ]) {
    const r = await call('GET', path)
    assert.equal(r.status, 403, `${path}: ${JSON.stringify(r.body)}`)
  }
  const list = await call('GET', `/1.0/storage-pools/default/volumes?project=${project}&recursion=1`)
  assert.doesNotMatch(JSON.stringify(list.body), /secret/)
  const copy = await call('POST', `/1.0/storage-pools/default/volumes/custom?project=${project}`, {
    name: 'loot',
    type: 'custom',
    config: { size: '10MiB' },
    source: { type: 'copy', name: 'secret', pool: 'default', project: 'default' },
  })
  assert.ok(copy.status >= 400 && copy.status < 500, JSON.stringify(copy.body))
  const del = await call('DELETE', '/1.0/storage-pools/default/volumes/custom/secret?project=default')
  assert.equal(del.status, 403)
  assert.equal(
    readFileSync(join(secretPath(), 'key'), 'utf8'),
    'admin secret\n',
    'the admin volume is intact',
  )
  assert.deepEqual(
    mountsUnder().filter((l) => l.includes('secret')),
    [],
    'nothing of the admin volume is mounted',
  )
})

test('a volume name can never be a host path', { skip }, () => {
  for (const source of ['/etc', '../../../../etc', 'a/../../x', '.', '..'])
    refused(
      ['config', 'device', 'add', inst, 'evil', 'disk', 'pool=default', `source=${source}`, 'path=/evil'],
      /Invalid|not allowed|forbidden/,
    )
  refused(['storage', 'volume', 'create', 'default', '../../etc', 'size=1MiB'], /slashes|Invalid/)
  assert.doesNotMatch(tenantLxc(['config', 'show', inst]).stdout, /evil/)
  const r = s.lxc(['query', '/1.0/storage-pools/default/volumes/custom?recursion=1&all-projects=true'])
  assert.doesNotMatch(r.stdout, /etc/)
})

test(
  'limits.disk applies to custom volumes: each needs a size, and the sum stays below the limit',
  { skip },
  () => {
    refused(
      ['storage', 'volume', 'create', 'default', 'own'],
      /Custom volume "own" in project "[^"]+" has no "size" config set/,
    )
    // The dir pool has no quotas, so a size is refused there: volumes on dir cannot be made in this project at all.
    refused(
      ['storage', 'volume', 'create', 'default', 'own', 'size=10MiB'],
      /not supported by the dir storage driver/,
    )
    const listed = s.must(['storage', 'volume', 'list', 'default', '--format', 'csv', '--project', project])
    assert.doesNotMatch(listed, /,own,/)
  },
)

test(
  'limits.disk: volumes with sizes on a btrfs pool count towards the limit with the root disks',
  { skip: btrfsSkip },
  () => {
    const first = tenantLxc(['storage', 'volume', 'create', btrfs, 'q1', 'size=50MiB'])
    assert.equal(first.status, 0, first.stderr)
    refused(
      ['storage', 'volume', 'create', btrfs, 'q2', 'size=60MiB'],
      /Reached maximum aggregate value "100MiB" for "limits.disk"/,
    )
    refused(['storage', 'volume', 'set', btrfs, 'q1', 'size=95MiB'], /Reached maximum aggregate value/)
    const listed = s.must(['storage', 'volume', 'list', btrfs, '--format', 'csv', '--project', project])
    assert.match(listed, /,q1,/)
    assert.doesNotMatch(listed, /,q2,/)
    assert.equal(s.must(['storage', 'volume', 'get', btrfs, 'q1', 'size', '--project', project]), '50MiB\n')
  },
)

test('snapshots of volumes are blocked in a restricted project unless allowed', { skip }, () => {
  // Without limits.disk the tenant may keep a volume on the dir pool; the admin lifts the limit for this.
  s.must(['project', 'unset', project, 'limits.disk'])
  const created = tenantLxc(['storage', 'volume', 'create', 'default', 'own'])
  assert.equal(created.status, 0, created.stderr)
  refused(['storage', 'volume', 'snapshot', 'default', 'own', 's0'], /doesn't allow for snapshot creation/)
})

/** Writes a gzip tarball with python's tarfile: a valid index, then the given [name, kind, extra] members. */
function craft(
  file: string,
  members: [string, 'file' | 'dir' | 'chr' | 'blk' | 'hardlink' | 'symlink', string?][],
): void {
  const script = [
    'import io, sys, tarfile, json',
    'def add(t, name, kind, extra=None):',
    '    i = tarfile.TarInfo(name)',
    "    data = b''",
    "    if kind == 'dir': i.type = tarfile.DIRTYPE; i.mode = 0o755",
    "    elif kind == 'chr': i.type = tarfile.CHRTYPE; i.devmajor, i.devminor = 1, 3",
    "    elif kind == 'blk': i.type = tarfile.BLKTYPE; i.devmajor, i.devminor = 8, 0",
    "    elif kind == 'hardlink': i.type = tarfile.LNKTYPE; i.linkname = extra",
    "    elif kind == 'symlink': i.type = tarfile.SYMTYPE; i.linkname = extra",
    "    else: data = (extra or 'x').encode(); i.size = len(data)",
    '    t.addfile(i, io.BytesIO(data))',
    "with tarfile.open(sys.argv[1], 'w:gz') as t:",
    "    add(t, 'backup', 'dir')",
    "    add(t, 'backup/index.yaml', 'file', sys.argv[3])",
    "    add(t, 'backup/volume', 'dir')",
    '    for m in json.loads(sys.argv[2]): add(t, *m)',
  ].join('\n')
  const index = 'name: hostile\ntype: custom\nconfig:\n  volume:\n    config: {}\n'
  const r = run('python3', ['-c', script, file, JSON.stringify(members), index])
  assert.equal(r.status, 0, r.stderr)
}

test(
  'hostile backups: device nodes, paths out of the archive and links out are refused; nothing created',
  { skip },
  () => {
    const escape = `/tmp/corral-voltenant-escape-${tag}`
    const cases: [string, Parameters<typeof craft>[1], RegExp][] = [
      ['dev', [['backup/volume/null', 'chr']], /only files, directories and links/],
      ['blk', [['backup/volume/sda', 'blk']], /only files, directories and links/],
      [
        'dotdot',
        [[`backup/volume/../../../../../../..${escape}`, 'file', 'owned']],
        /Invalid backup archive member/,
      ],
      ['abs', [[escape, 'file', 'owned']], /Invalid backup archive member/],
      [
        'arrow',
        [[`backup/volume/a -> ../../../../../../..${escape}`, 'file', 'owned']],
        /Invalid backup archive member/,
      ],
      ['hard', [['backup/volume/shadow', 'hardlink', '/etc/shadow']], /Invalid backup archive member/],
      // The volume itself a symlink to a host directory: the copy into the pool would read the host.
      ['volsym', [['backup/volume', 'symlink', '/etc']], /wrong type/],
    ]
    for (const [label, members, message] of cases) {
      const file = join(work, `${label}.tar.gz`)
      craft(file, members)
      refused(['storage', 'volume', 'import', 'default', file, `imp${label}`], message)
      assert.throws(() => lstatSync(escape), `${label}: nothing was written outside`)
    }
    const listed = s.must(['storage', 'volume', 'list', 'default', '--format', 'csv', '--project', project])
    assert.doesNotMatch(listed, /imp/)
    const nodes = run('find', [
      join(s.dir, 'storage-pools'),
      join(s.dir, 'backups'),
      '(',
      '-type',
      'b',
      '-o',
      '-type',
      'c',
      ')',
    ])
    assert.equal(nodes.stdout, '', 'no device node anywhere in the pools or backups')
    // A well-formed archive imports through the same path, and export is blocked by restricted.backups.
    const good = join(work, 'good.tar.gz')
    craft(good, [['backup/volume/hello', 'file', 'hi']])
    const imported = tenantLxc(['storage', 'volume', 'import', 'default', good, 'own2'])
    assert.equal(imported.status, 0, imported.stderr)
    const path = join(s.dir, 'storage-pools', 'default', 'custom', `${project}_own2`, 'hello')
    assert.equal(readFileSync(path, 'utf8'), 'hi')
    refused(
      ['storage', 'volume', 'export', 'default', 'own2', join(work, 'out.tar.gz')],
      /doesn't allow for backup creation/,
    )
  },
)

test(
  'positive control: the tenant attaches its own volume; files are root-owned inside and one owner on disk',
  { skip },
  () => {
    assert.equal(tenantLxc(['storage', 'volume', 'attach', 'default', 'own', inst, '/own']).status, 0)
    assert.equal(tenantLxc(['restart', inst, '--force']).status, 0)
    const wrote = tenantLxc([
      'exec',
      inst,
      '--',
      'sh',
      '-c',
      'echo mine > /own/f && ln -s /etc/shadow /own/link && stat -c %u /own/f',
    ])
    assert.equal(wrote.stdout, '0\n', wrote.stderr)
    const path = join(s.dir, 'storage-pools', 'default', 'custom', `${project}_own`)
    assert.equal(lstatSync(join(path, 'f')).uid, 0)
    // A copy keeps the link a link: nothing of the host's /etc is copied in.
    assert.equal(tenantLxc(['storage', 'volume', 'copy', 'default/own', 'default/ownc']).status, 0)
    const copied = join(s.dir, 'storage-pools', 'default', 'custom', `${project}_ownc`, 'link')
    assert.ok(lstatSync(copied).isSymbolicLink())
    // The project is not empty while it has volumes.
    assert.match(s.lxc(['project', 'delete', project]).stderr, /Only empty projects/)
  },
)
