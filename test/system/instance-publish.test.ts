/**
 * @module System tier: `lxc publish` of a stopped instance and of a snapshot with the stock client:
 * an LXD image tarball (metadata.yaml, templates/, rootfs/) compressed per images.compression_algorithm,
 * from which `lxc launch` gives the same file system; a running instance is refused without --force.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { run } from '../helpers/corrald.js'
import { shellIn } from '../helpers/setup.js'
import { treeDigest } from '../helpers/tree-digest.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true, pool: true })
if (skip) console.log(`# skipping publish system tests: ${skip}`)
const tag = process.pid % 100000
const src = `pbs${tag}`
const names = [src, `pba${tag}`, `pbb${tag}`, `pbc${tag}`]
let s: LxcSession

const rootfs = (name: string) => join(s.dir, 'storage-pools/default/containers', name, 'rootfs')
const fingerprintOf = (out: string) => /fingerprint: ([0-9a-f]{64})/.exec(out)?.[1] ?? ''
const imageCount = () => (JSON.parse(s.must(['query', '/1.0/images'])) as string[]).length
const magic = (fp: string) => readFileSync(join(s.dir, 'images', fp)).subarray(0, 6)

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-publish', { image: true, pool: true })
  s.must(['launch', 'busybox', src])
  shellIn(s.must, src, 'echo published > /root/mark && ln -s /root/mark /root/link && sync')
  s.must(['snapshot', src, 'p1'])
  shellIn(s.must, src, 'echo later > /root/mark && sync')
})

after(async () => {
  if (skip) return
  for (const n of names) s.lxc(['delete', '--force', n])
  await s.close(names)
})

test('publishing a running instance is refused without --force and stores nothing', { skip }, () => {
  const images = imageCount()
  const r = s.lxc(['publish', src, '--alias', `nope${tag}`])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /The instance is currently running. Use --force to have it stopped and restarted/)
  // The server refuses it too, whatever the client checks.
  const api = s.lxc([
    'query',
    '-X',
    'POST',
    '/1.0/images',
    '--data',
    JSON.stringify({ source: { type: 'instance', name: src } }),
  ])
  assert.equal(api.status, 1)
  assert.match(api.stderr, /Cannot export a running instance as an image/)
  assert.equal(imageCount(), images)
  assert.deepEqual(JSON.parse(s.must(['query', `/1.0/images/aliases`])), ['/1.0/images/aliases/busybox'])
  assert.match(s.must(['list', src, '--format', 'csv', '-c', 's']), /^RUNNING$/m)
})

test(
  'lxc publish --force of a running instance: an LXD image, and lxc launch of it gives the same files',
  { skip },
  () => {
    const out = s.must(['publish', src, '--force', '--alias', `pub${tag}`])
    const fp = fingerprintOf(out)
    assert.ok(fp, out)
    assert.match(s.must(['list', src, '--format', 'csv', '-c', 's']), /^RUNNING$/m, 'restarted after')
    assert.deepEqual(
      [...magic(fp).subarray(0, 2)],
      [0x1f, 0x8b],
      'gzip, the default images.compression_algorithm',
    )
    const listing = run('tar', ['-tzf', join(s.dir, 'images', fp)]).stdout.split('\n')
    assert.ok(listing.includes('metadata.yaml'))
    assert.ok(listing.includes('templates/hostname.tpl'))
    assert.ok(listing.includes('rootfs/root/mark'))
    const meta = run('tar', ['-xzOf', join(s.dir, 'images', fp), 'metadata.yaml']).stdout
    assert.match(meta, /^architecture: x86_64$/m)
    assert.match(meta, /^ {2}os: busybox$/m, 'the properties of the instance image')
    assert.match(meta, /\/etc\/hostname:/, 'and its templates')
    const info = JSON.parse(s.must(['query', `/1.0/images/${fp}`])) as {
      public: boolean
      properties: Record<string, string>
    }
    assert.equal(info.public, false)
    assert.equal(info.properties.os, 'busybox')
    s.must(['stop', src, '--force'])
    const before = treeDigest(rootfs(src))
    const copy = names[1]!
    s.must(['init', `pub${tag}`, copy])
    assert.equal(treeDigest(rootfs(copy)), before, 'the new instance has the published files byte for byte')
    s.must(['start', copy])
    assert.equal(s.must(['exec', copy, '--', 'cat', '/root/mark']), 'later\n')
    assert.equal(s.must(['exec', copy, '--', 'cat', '/etc/hostname']), `${copy}\n`, 'the templates ran')
    s.must(['stop', copy, '--force'])
  },
)

test('lxc publish of a snapshot --public, compressed as images.compression_algorithm says', { skip }, () => {
  s.must(['config', 'set', 'images.compression_algorithm', 'xz'])
  try {
    const out = s.must(['publish', `${src}/p1`, '--public', '--alias', `snap${tag}`, 'release=p1'])
    const fp = fingerprintOf(out)
    assert.deepEqual([...magic(fp)], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz')
    const info = JSON.parse(s.must(['query', `/1.0/images/${fp}`])) as {
      public: boolean
      properties: Record<string, string>
    }
    assert.equal(info.public, true)
    assert.deepEqual(info.properties, { release: 'p1' })
    const copy = names[2]!
    s.must(['init', `snap${tag}`, copy])
    assert.equal(
      treeDigest(rootfs(copy)),
      treeDigest(join(s.dir, 'storage-pools/default/containers-snapshots', src, 'p1', 'rootfs')),
    )
    // The project's key wins over the server's.
    s.must(['project', 'set', 'default', 'images.compression_algorithm', 'bzip2'])
    try {
      const bz = fingerprintOf(s.must(['publish', `${src}/p1`, 'release=bz']))
      assert.equal(
        readFileSync(join(s.dir, 'images', bz))
          .subarray(0, 3)
          .toString(),
        'BZh',
      )
    } finally {
      s.must(['project', 'unset', 'default', 'images.compression_algorithm'])
    }
    // The client's --compression overrides the key; none is a plain tar.
    const plain = fingerprintOf(s.must(['publish', `${src}/p1`, '--compression', 'none']))
    assert.equal(
      readFileSync(join(s.dir, 'images', plain))
        .subarray(257, 262)
        .toString(),
      'ustar',
    )
  } finally {
    s.must(['config', 'unset', 'images.compression_algorithm'])
  }
  const bad = s.lxc(['config', 'set', 'images.compression_algorithm', 'rm -rf'])
  assert.equal(bad.status, 1)
  const badReq = s.lxc(['publish', `${src}/p1`, '--compression', 'sh'])
  assert.equal(badReq.status, 1)
  assert.match(badReq.stderr, /Unsupported compression algorithm "sh"/)
  const missing = s.lxc(['publish', `${src}/nosuch`])
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /not found/i)
})
