/** @module System tier: images made by real writers import, launch unprivileged and hold their files; the hostile corpus is refused with nothing stored. */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { repoRoot, run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const tools = ['mksquashfs', 'unsquashfs', 'python3', 'zstd', 'bzip2']
const missing = tools.find((t) => run('which', [t]).status !== 0)
const skip =
  sessionSkipReason({ image: true, pool: true }) ??
  (missing ? `${missing} is missing (scripts/install-deps.sh installs it)` : undefined)
const fixtures = join(repoRoot, 'test/fixtures')
let s: LxcSession
let work = ''
let corpus: { name: string; files: string[] }[] = []
const launched: string[] = []

before(async () => {
  if (skip) return
  work = mkdtempSync('/tmp/corral-corpus-sys-')
  const built = run('bash', [join(fixtures, 'image-corpus.sh'), join(work, 'corpus')])
  assert.equal(built.status, 0, built.stderr)
  corpus = readFileSync(join(work, 'corpus/manifest'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [name, ...files] = l.split(' ')
      return { name: name!, files }
    })
  const hostile = run('python3', [join(fixtures, 'hostile_images.py'), join(work, 'hostile')])
  assert.equal(hostile.status, 0, hostile.stderr)
  s = await startLxcSession('corral-corpus', { pool: true })
})

after(async () => {
  if (skip) return
  await s.close(launched)
  rmSync(work, { recursive: true, force: true })
})

/** sha256 of a file on the host. */
const hostSum = (path: string) => run('sha256sum', [path]).stdout.split(' ')[0]!

test(
  "every writer's image imports with the stock client, launches unprivileged and holds the same files",
  { skip },
  () => {
    if (!corpus.some((c) => c.name === 'bsdtar'))
      console.log('# bsdtar is not installed: no bsdtar image in the corpus')
    const tree = join(work, 'corpus/tree/rootfs')
    for (const [i, { name, files }] of corpus.entries()) {
      const imported = s.lxc(['image', 'import', ...files, '--alias', `corpus-${name}`])
      assert.equal(imported.status, 0, `${name}: ${imported.stderr}`)
      const ct = `crl${process.pid}k${i}`
      launched.push(ct)
      const launch = s.lxc(['launch', `corpus-${name}`, ct])
      assert.equal(launch.status, 0, `${name}: ${launch.stderr}`)
      const exec = (script: string) => {
        const r = s.lxc(['exec', ct, '--', 'sh', '-c', script])
        assert.equal(r.status, 0, `${name}: ${script}: ${r.stderr}`)
        return r.stdout
      }
      assert.equal(exec('sha256sum /bin/busybox').split(' ')[0], hostSum('/bin/busybox'), name)
      // Parents no entry made are 0755 root-owned inside too (the uid shift is the container's root).
      assert.equal(exec('stat -c "%a %u" /usr/bin /usr/sbin'), '755 0\n755 0\n', name)
      if (name === 'python-tarfile') {
        assert.equal(exec('cat /etc/inittab'), '\n')
      } else {
        const paths = ['data', 'sparse', 'with space', 'deep/er/still/file'].map((p) => `/corpus/${p}`)
        const sums = exec(`sha256sum ${paths.map((p) => `'${p}'`).join(' ')}`)
          .trim()
          .split('\n')
          .map((l) => l.split(' ')[0])
        assert.deepEqual(
          sums,
          paths.map((p) => hostSum(join(tree, p))),
          name,
        )
        const [a, b] = exec('stat -c %i /corpus/data /corpus/data.link').trim().split('\n')
        assert.equal(a, b, `${name}: the hard link survived`)
        assert.equal(exec('stat -c %a /tmp /root /etc/init.d/rcS'), '1777\n700\n755\n', name)
      }
      assert.equal(s.lxc(['delete', '--force', ct]).status, 0)
      launched.pop()
    }
  },
)

test('the hostile corpus is refused by import with a message, and nothing is stored', { skip }, () => {
  const imagesDir = join(s.dir, 'images')
  const before = { list: s.must(['image', 'list', '--format', 'csv']), files: readdirSync(imagesDir).sort() }
  const cases = readdirSync(join(work, 'hostile')).map((f) => [f, [join(work, 'hostile', f)]] as const)
  for (const [name, files] of [
    ...cases,
    ['squashfs-unified', [join(work, 'corpus/split-rootfs.squashfs')]] as const,
  ]) {
    const r = s.lxc(['image', 'import', ...files])
    assert.equal(r.status, 1, `${name} was accepted`)
    assert.match(r.stderr, /^Error: /, name)
    assert.deepEqual(
      { list: s.must(['image', 'list', '--format', 'csv']), files: readdirSync(imagesDir).sort() },
      before,
      `${name} left something behind`,
    )
  }
})
