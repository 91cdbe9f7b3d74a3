/**
 * @module System tier: a dir pool keeps a spare copy of an image volume (storage/spare-copies.ts):
 * the next instance of that image takes it, it is the image's tree byte for byte, and it goes
 * with the image.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true, pool: true })
if (skip) console.log(`# skipped: ${skip}`)
const tag = `sp${process.pid % 100000}`
let s: LxcSession
let images = ''

before(async () => {
  if (skip) return
  s = await startLxcSession(tag, { image: true, pool: true })
  images = join(s.dir, 'storage-pools', 'default', 'images')
})
after(async () => {
  if (!skip) await s.close()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The image volumes' directory entries (fingerprints and their spare copies). */
const entries = () => readdirSync(images).sort()

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await sleep(50)
  assert.ok(ok(), what)
}

/** Checksums, types, modes and owners of a tree, relative to its top. */
function manifest(dir: string): string {
  const r = run('bash', [
    '-c',
    `cd "$1" && find . -mindepth 1 -printf '%y %m %U:%G %p %l\\n' | sort && find . -type f -print0 | sort -z | xargs -0 sha256sum`,
    'manifest',
    dir,
  ])
  assert.equal(r.status, 0, r.stderr)
  return r.stdout
}

test(
  'a dir pool keeps a spare copy of an image volume, the next instance takes it, and it goes with the image',
  { skip },
  async () => {
    s.must(['init', 'busybox', `${tag}-a`])
    const fingerprint = entries().find((e) => /^[0-9a-f]{64}$/.test(e))!
    assert.ok(fingerprint, 'the image volume exists')
    const spare = join(images, `${fingerprint}.spare`)
    await until('a spare copy is made after the first create', () => existsSync(spare))
    assert.deepEqual(entries(), [fingerprint, `${fingerprint}.spare`])
    const spareIno = statSync(spare).ino

    s.must(['init', 'busybox', `${tag}-b`])
    const volume = join(s.dir, 'storage-pools', 'default', 'containers', `${tag}-b`)
    assert.equal(statSync(volume).ino, spareIno, 'the second instance is the spare, renamed into place')
    // Its top directory as a copy's (the daemon's protection of a new volume), its tree the image's
    // (metadata.yaml, templates, rootfs) byte for byte, as the first instance's copy is.
    const first = join(s.dir, 'storage-pools', 'default', 'containers', `${tag}-a`)
    assert.equal(statSync(volume).mode, statSync(first).mode)
    assert.equal(statSync(volume).uid, statSync(first).uid)
    assert.equal(manifest(volume), manifest(join(images, fingerprint)))
    assert.equal(manifest(volume), manifest(first))
    await until('a new spare is made', () => existsSync(spare) && statSync(spare).ino !== spareIno)

    // Both instances start and run (the renamed spare behaves as a copy).
    s.must(['start', `${tag}-b`])
    assert.equal(s.must(['exec', `${tag}-b`, '--', 'cat', '/etc/hostname']), `${tag}-b\n`)
    s.must(['delete', '--force', `${tag}-b`])
    s.must(['delete', `${tag}-a`])

    s.must(['image', 'delete', 'busybox'])
    assert.deepEqual(entries(), [], 'the image volume and its spare are gone')
  },
)
