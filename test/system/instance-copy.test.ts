/**
 * @module System tier: `lxc copy` on one server, driven by the stock client: stopped and running
 * sources, snapshots copied or left (`--instance-only`), a snapshot as source, a copy-on-write
 * btrfs snapshot beside a full dir copy, fresh volatile keys, and a taken name refused.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { run } from '../helpers/corrald.js'
import { volumeDigest } from '../helpers/tree-digest.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { addTestBridge, btrfsSkipReason, shellIn } from '../helpers/setup.js'

const btrfsReason = btrfsSkipReason()
const skip = sessionSkipReason({ image: true, pool: true })
if (skip) console.log(`# skipping copy system tests: ${skip}`)
if (!skip && btrfsReason) console.log(`# skipping the btrfs copy tests: ${btrfsReason}`)
const tag = process.pid % 100000
const bridge = `crcp${tag}`
const src = `cps${tag}`
const names = [
  src,
  `cpa${tag}`,
  `cpb${tag}`,
  `cpc${tag}`,
  `cpd${tag}`,
  `bts${tag}`,
  `btc${tag}`,
  `btr${tag}`,
  `cpl${tag}`,
]
let s: LxcSession

const volume = (pool: string, name: string) => join(s.dir, 'storage-pools', pool, 'containers', name)
const config = (name: string) => s.must(['config', 'show', name])
const key = (name: string, k: string) => s.must(['config', 'get', name, k]).trim()
const snapshotNames = (name: string) =>
  (JSON.parse(s.must(['query', `/1.0/instances/${name}/snapshots`])) as string[]).map((u) =>
    u.split('/').pop(),
  )

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-copy', { image: true, pool: true })
  addTestBridge(s.must, bridge, 20 + ((tag + 97) % 200))
})

after(async () => {
  if (skip) return
  for (const n of names) s.lxc(['delete', '--force', n])
  if (!btrfsReason) s.lxc(['storage', 'delete', 'bt'])
  await s.close(names)
})

test(
  'lxc copy of a stopped instance gives the same files and its snapshots, with fresh volatile keys',
  { skip },
  () => {
    s.must(['launch', 'busybox', src])
    shellIn(
      s.must,
      src,
      'echo one > /root/file && dd if=/dev/urandom of=/root/blob bs=1k count=64 2>/dev/null',
    )
    s.must(['snapshot', src, 's1'])
    shellIn(s.must, src, 'echo two > /root/file && sync')
    s.must(['stop', src, '--force'])
    const before = volumeDigest(volume('default', src))
    const snapBefore = volumeDigest(join(s.dir, 'storage-pools/default/containers-snapshots', src, 's1'))
    const copy = names[1]!
    assert.equal(s.must(['copy', src, copy]), '')
    assert.equal(
      volumeDigest(volume('default', copy)),
      before,
      'the copy holds the source files byte for byte',
    )
    assert.deepEqual(snapshotNames(copy), ['s1'])
    assert.equal(
      volumeDigest(join(s.dir, 'storage-pools/default/containers-snapshots', copy, 's1')),
      snapBefore,
      'the snapshot came along unchanged',
    )
    assert.notEqual(key(copy, 'volatile.uuid'), key(src, 'volatile.uuid'))
    assert.equal(key(copy, 'volatile.base_image'), key(src, 'volatile.base_image'))
    assert.equal(key(copy, 'volatile.apply_template'), 'copy')
    assert.match(config(src), /volatile\.eth0\.hwaddr: 00:16:3e:/)
    assert.doesNotMatch(config(copy), /volatile\.eth0\.hwaddr/, 'the MAC is not carried over')
    s.must(['start', copy])
    assert.equal(s.must(['exec', copy, '--', 'cat', '/root/file']), 'two\n')
    assert.notEqual(key(copy, 'volatile.eth0.hwaddr'), key(src, 'volatile.eth0.hwaddr'))
    assert.notEqual(key(copy, 'volatile.eth0.host_name'), key(src, 'volatile.eth0.host_name'))
    // The copy's snapshot restores the copy's own files.
    s.must(['restore', copy, 's1'])
    assert.equal(s.must(['exec', copy, '--', 'cat', '/root/file']), 'one\n')
    s.must(['stop', copy, '--force'])
  },
)

test('lxc copy --instance-only leaves the snapshots; a snapshot copies into a new instance', { skip }, () => {
  const only = names[2]!
  const fromSnap = names[3]!
  s.must(['copy', src, only, '--instance-only'])
  assert.deepEqual(snapshotNames(only), [])
  assert.equal(volumeDigest(volume('default', only)), volumeDigest(volume('default', src)))
  s.must(['copy', `${src}/s1`, fromSnap])
  assert.deepEqual(snapshotNames(fromSnap), [])
  assert.equal(
    volumeDigest(volume('default', fromSnap)),
    volumeDigest(join(s.dir, 'storage-pools/default/containers-snapshots', src, 's1')),
  )
  s.must(['start', fromSnap])
  assert.equal(s.must(['exec', fromSnap, '--', 'cat', '/root/file']), 'one\n')
  s.must(['stop', fromSnap, '--force'])
})

test(
  'lxc copy of a running instance copies its files as they are; the source keeps running',
  { skip },
  () => {
    s.must(['start', src])
    shellIn(s.must, src, 'echo running > /root/live && sync')
    const before = volumeDigest(volume('default', src))
    const copy = names[4]!
    s.must(['copy', src, copy])
    assert.equal(volumeDigest(volume('default', copy)), before)
    assert.match(s.must(['list', src, '--format', 'csv', '-c', 's']), /^RUNNING$/m)
    s.must(['start', copy])
    assert.equal(s.must(['exec', copy, '--', 'cat', '/root/live']), 'running\n')
    s.must(['stop', copy, '--force'])
  },
)

test('a copy onto a taken name is refused and changes nothing', { skip }, () => {
  const copy = names[4]!
  const before = volumeDigest(volume('default', copy))
  const conf = config(copy)
  const r = s.lxc(['copy', src, copy])
  assert.equal(r.status, 1)
  assert.match(r.stderr, new RegExp(`Instance "${copy}" already exists`))
  const api = s.lxc([
    'query',
    '-X',
    'POST',
    '/1.0/instances',
    '--data',
    JSON.stringify({ name: copy, source: { type: 'copy', source: src } }),
  ])
  assert.equal(api.status, 1)
  assert.match(api.stderr, /already exists/)
  assert.equal(volumeDigest(volume('default', copy)), before)
  assert.equal(config(copy), conf)
  const missing = s.lxc(['copy', `nothere${tag}`, `cpz${tag}`])
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /not found/i)
  const bad = s.lxc([
    'query',
    '-X',
    'POST',
    '/1.0/instances',
    '--data',
    JSON.stringify({ name: `cpz${tag}`, source: { type: 'copy', source: '../x' } }),
  ])
  assert.equal(bad.status, 1)
  assert.doesNotMatch(s.must(['list', '--format', 'csv', '-c', 'n']), new RegExp(`cpz${tag}`))
})

test(
  'on btrfs a copy is a writable snapshot of the source subvolume, made in the same time whatever its size',
  { skip: skip ?? btrfsReason },
  () => {
    s.must(['storage', 'create', 'bt', 'btrfs', 'size=2GiB'])
    const [bsrc, bcopy, bbig] = [names[5]!, names[6]!, names[7]!]
    s.must(['init', 'busybox', bsrc, '-s', 'bt'])
    s.must(['snapshot', bsrc, 'b1'])
    const pool = join(s.dir, 'storage-pools/bt')
    const show = (path: string) => run('btrfs', ['subvolume', 'show', path]).stdout
    const uuid = (path: string) => /^\s*UUID:\s*(\S+)/m.exec(show(path))?.[1]
    const parent = (path: string) => /Parent UUID:\s*(\S+)/.exec(show(path))?.[1]
    const timed = (from: string, to: string) => {
      const t0 = process.hrtime.bigint()
      s.must(['copy', from, to])
      return Number(process.hrtime.bigint() - t0) / 1e6
    }
    const small = timed(bsrc, bcopy)
    const before = volumeDigest(join(pool, 'containers', bsrc))
    assert.equal(volumeDigest(join(pool, 'containers', bcopy)), before)
    assert.ok(uuid(join(pool, 'containers', bsrc)))
    assert.equal(
      parent(join(pool, 'containers', bcopy)),
      uuid(join(pool, 'containers', bsrc)),
      'the copy is a snapshot',
    )
    assert.match(show(join(pool, 'containers', bcopy)), /Flags:\s*-/, 'and writable')
    assert.equal(
      parent(join(pool, 'containers-snapshots', bcopy, 'b1')),
      uuid(join(pool, 'containers-snapshots', bsrc, 'b1')),
      'its snapshot is a snapshot of the source snapshot',
    )
    assert.match(show(join(pool, 'containers-snapshots', bcopy, 'b1')), /Flags:\s*readonly/)
    // 400 MiB more in the source: a snapshot takes no longer, a file copy would.
    s.must(['start', bsrc])
    shellIn(s.must, bsrc, 'dd if=/dev/urandom of=/root/big bs=1M count=400 2>/dev/null && sync')
    s.must(['stop', bsrc, '--force'])
    const big = timed(bsrc, bbig)
    console.log(
      `# btrfs copy: ${small.toFixed(0)} ms with the image alone, ${big.toFixed(0)} ms with 400 MiB more`,
    )
    assert.ok(big < small + 3000, `copy time grew with the data: ${small} ms -> ${big} ms`)
    const used = run('btrfs', ['filesystem', 'du', '-s', '--raw', join(pool, 'containers', bbig)]).stdout
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)/m.exec(used.split('\n')[1] ?? '')
    assert.ok(m, used)
    assert.ok(Number(m[2]) < 1_000_000, `the copy shares its extents: exclusive ${m[2]} bytes`)
    // Across pools (dir to btrfs) it is a file copy into new subvolumes, snapshots read-only.
    const across = `btx${tag}`
    s.must(['copy', src, across, '-s', 'bt'])
    assert.equal(volumeDigest(join(pool, 'containers', across)), volumeDigest(volume('default', src)))
    assert.equal(run('btrfs', ['subvolume', 'show', join(pool, 'containers', across)]).status, 0)
    assert.match(show(join(pool, 'containers-snapshots', across, 's1')), /Flags:\s*readonly/)
    assert.match(s.must(['config', 'device', 'get', across, 'root', 'pool']), /^bt$/m)
    for (const n of [bsrc, bcopy, bbig, across]) s.must(['delete', n])
  },
)

test('lxc copy --target-project copies into another project', { skip }, () => {
  const project = `cpp${tag}`
  s.must(['project', 'create', project, '-c', 'features.profiles=false', '-c', 'features.images=false'])
  try {
    s.must(['copy', src, src, '--target-project', project, '--instance-only'])
    assert.match(
      s.must(['list', '--project', project, '--format', 'csv', '-c', 'n']),
      new RegExp(`^${src}$`, 'm'),
    )
    assert.equal(
      volumeDigest(join(s.dir, 'storage-pools/default/containers', `${project}_${src}`)),
      volumeDigest(volume('default', src)),
    )
  } finally {
    s.lxc(['delete', '--force', src, '--project', project])
    s.lxc(['project', 'delete', project])
  }
})

test('volumes a killed copy left under the new name make way; the copy is whole', { skip }, () => {
  const copy = names[8]!
  // What a copy killed after its snapshot volumes and before its row would leave.
  const leftSnap = join(s.dir, 'storage-pools/default/containers-snapshots', copy, 's1')
  mkdirSync(join(leftSnap, 'rootfs'), { recursive: true })
  writeFileSync(join(leftSnap, 'rootfs', 'stale'), 'x')
  mkdirSync(join(volume('default', copy), 'rootfs'), { recursive: true })
  writeFileSync(join(volume('default', copy), 'rootfs', 'stale'), 'x')
  s.must(['copy', `${src}/s1`, `${copy}`])
  assert.equal(existsSync(join(volume('default', copy), 'rootfs', 'stale')), false)
  assert.equal(existsSync(leftSnap), false)
  assert.equal(
    volumeDigest(volume('default', copy)),
    volumeDigest(join(s.dir, 'storage-pools/default/containers-snapshots', src, 's1')),
  )
})
