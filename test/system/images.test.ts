/** @module System tier: the stock lxc client imports, lists, shows, edits, exports and deletes corrald images. */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true })
let session: LxcSession
let dir = ''
let home = ''
let images = ''

before(async () => {
  if (skip) return
  session = await startLxcSession('corral-img', { image: true })
  ;({ dir, home, images } = session)
})

after(async () => {
  if (!skip) await session.close()
})

const lxc = (args: string[], input?: string) => session.lxc(args, input)
const sha256 = (...files: string[]) => {
  const h = createHash('sha256')
  for (const f of files) h.update(readFileSync(f))
  return h.digest('hex')
}

test(
  'lxc image import takes a unified tarball and a split metadata + rootfs pair, with aliases',
  { skip },
  () => {
    const unified = lxc(['image', 'import', join(images, 'busybox.tar.xz'), '--alias', 'bb'])
    assert.equal(unified.status, 0, unified.stderr)
    assert.equal(
      unified.stdout.trim(),
      `Image imported with fingerprint: ${sha256(join(images, 'busybox.tar.xz'))}`,
    )
    const split = lxc([
      'image',
      'import',
      join(images, 'busybox-meta.tar.xz'),
      join(images, 'busybox-rootfs.tar.xz'),
      '--alias',
      'bb2',
    ])
    assert.equal(split.status, 0, split.stderr)
    const splitFp = sha256(join(images, 'busybox-meta.tar.xz'), join(images, 'busybox-rootfs.tar.xz'))
    assert.equal(split.stdout.trim(), `Image imported with fingerprint: ${splitFp}`)
    const again = lxc(['image', 'import', join(images, 'busybox.tar.xz')])
    assert.equal(again.status, 1)
    assert.equal(again.stderr, 'Error: Image with same fingerprint already exists\n')
  },
)

test(
  'lxc image list shows both images with their aliases, description, architecture and type',
  { skip },
  () => {
    const r = lxc(['image', 'list'])
    assert.equal(r.status, 0, r.stderr)
    const fp = sha256(join(images, 'busybox.tar.xz')).slice(0, 12)
    assert.match(
      r.stdout,
      new RegExp(
        `\\| bb +\\| ${fp} \\| no +\\| BusyBox 1\\.35 \\(Debian busybox-static\\) \\| x86_64 +\\| CONTAINER \\|`,
      ),
    )
    assert.match(r.stdout, /\| bb2 +\| [0-9a-f]{12} \| no +\| BusyBox 1\.35 .*\| x86_64 +\| CONTAINER \|/)
    const csv = lxc(['image', 'list', '--format', 'csv', '-c', 'lf'])
    assert.equal(csv.stdout.split('\n').filter(Boolean).length, 2)
  },
)

test('lxc image info resolves an alias and prints the image', { skip }, () => {
  const r = lxc(['image', 'info', 'bb'])
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`^Fingerprint: ${sha256(join(images, 'busybox.tar.xz'))}$`, 'm'))
  assert.match(r.stdout, /^Architecture: x86_64$/m)
  assert.match(r.stdout, /^Type: container$/m)
  assert.match(r.stdout, /^Public: no$/m)
  assert.match(r.stdout, /^ {4}os: busybox$/m)
  assert.match(r.stdout, /^Aliases:\n {4}- bb$/m)
  assert.match(r.stdout, /^ {4}Last used: never$/m)
})

test('lxc image edit and set-property change properties and the public flag', { skip }, () => {
  const edited = lxc(
    ['image', 'edit', 'bb'],
    'auto_update: false\nproperties:\n  os: busybox\n  note: edited\npublic: true\n',
  )
  assert.equal(edited.status, 0, edited.stderr)
  assert.equal(lxc(['image', 'set-property', 'bb', 'release', '1.36']).status, 0)
  const shown = lxc(['image', 'show', 'bb'])
  assert.match(shown.stdout, /^ {2}note: edited$/m)
  assert.match(shown.stdout, /^ {2}release: "1\.36"$/m)
  assert.match(shown.stdout, /^public: true$/m)
})

test('lxc image export writes files whose fingerprint matches (unified and split)', { skip }, () => {
  const out = join(home, 'export')
  mkdirSync(out)
  const unified = lxc(['image', 'export', 'bb', join(out, 'bb')])
  assert.equal(unified.status, 0, unified.stderr)
  assert.equal(sha256(join(out, 'bb.tar.xz')), sha256(join(images, 'busybox.tar.xz')))
  const splitDir = join(out, 'split')
  mkdirSync(splitDir)
  const split = lxc(['image', 'export', 'bb2', `${splitDir}/`])
  assert.equal(split.status, 0, split.stderr)
  const files = readdirSync(splitDir).sort()
  const fp = sha256(join(images, 'busybox-meta.tar.xz'), join(images, 'busybox-rootfs.tar.xz'))
  assert.deepEqual(files, [`${fp}.tar.xz`, `meta-${fp}.tar.xz`])
  assert.equal(sha256(join(splitDir, `meta-${fp}.tar.xz`), join(splitDir, `${fp}.tar.xz`)), fp)
})

test('lxc image alias create, rename and delete', { skip }, () => {
  const fp = sha256(join(images, 'busybox.tar.xz'))
  assert.equal(lxc(['image', 'alias', 'create', 'bb3', fp]).status, 0)
  assert.equal(lxc(['image', 'alias', 'rename', 'bb3', 'bb4']).status, 0)
  assert.match(lxc(['image', 'alias', 'list']).stdout, /\| bb4 +\| [0-9a-f]{12} \| CONTAINER \|/)
  assert.equal(lxc(['image', 'alias', 'delete', 'bb4']).status, 0)
  assert.doesNotMatch(lxc(['image', 'alias', 'list']).stdout, /bb4/)
})

test('lxc image delete removes the images and their files', { skip }, () => {
  const r = lxc(['image', 'delete', 'bb', 'bb2'])
  assert.equal(r.status, 0, r.stderr)
  assert.doesNotMatch(lxc(['image', 'list']).stdout, /bb/)
  assert.deepEqual(readdirSync(join(dir, 'images')), [])
  const missing = lxc(['image', 'info', 'bb'])
  assert.equal(missing.status, 1)
  assert.equal(missing.stderr, 'Error: Image not found\n')
})
