/** @module API tier: image import (unified and split), aliases, properties, export, delete and bad input. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { findImage } from '../../src/image/index.js'
import { unpackImage } from '../../src/image/unpack.js'
import { call, ok, type RawResponse } from '../helpers/http.js'
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js'

const repoRoot = new URL('../../../../../', import.meta.url).pathname
const skip = !existsSync('/bin/busybox')
  ? '/bin/busybox is missing (install busybox-static)'
  : process.getuid?.() !== 0
    ? 'building the busybox image needs root'
    : undefined
if (skip) console.log(`# skipping image API tests: ${skip}`)

let d: TestDaemon
let work = ''
const lifecycle: string[] = []
const file = (name: string) => readFileSync(join(work, name))
const sha256 = (...bufs: Buffer[]) => {
  const h = createHash('sha256')
  for (const b of bufs) h.update(b)
  return h.digest('hex')
}

before(async () => {
  if (skip) return
  work = mkdtempSync(join(tmpdir(), 'corral-img-'))
  const r = spawnSync('bash', [join(repoRoot, 'scripts/build-busybox-image.sh'), work], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  d = await startTestDaemon()
  d.daemon.state.events.subscribe({
    types: new Set(['lifecycle']),
    project: undefined,
    send: (e) => {
      const m = e.metadata as { action: string; source: string }
      lifecycle.push(`${m.action} ${m.source}`)
    },
  })
})
after(async () => {
  if (skip) return
  await d.close()
  rmSync(work, { recursive: true, force: true })
})

/** Waits for an operation answer and returns the finished operation. */
async function waitOp(
  res: RawResponse,
): Promise<{ status: string; err: string; metadata: Record<string, string> }> {
  assert.equal(res.status, 202, JSON.stringify(res.body))
  return ok(d.socket, 'GET', `${String(res.body.operation)}/wait?timeout=30`)
}

function importUnified(body: Buffer, headers: Record<string, string> = {}): Promise<RawResponse> {
  return call(d.socket, 'POST', '/1.0/images', {
    rawBody: body,
    headers: { 'Content-Type': 'application/octet-stream', ...headers },
  })
}

function multipart(parts: [string, string, Buffer][]): { body: Buffer; type: string } {
  const b = 'corraltestboundary'
  const chunks: Buffer[] = []
  for (const [name, filename, data] of parts) {
    chunks.push(
      Buffer.from(
        `--${b}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      data,
      Buffer.from('\r\n'),
    )
  }
  chunks.push(Buffer.from(`--${b}--\r\n`))
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${b}` }
}

function importSplit(meta: Buffer, rootfs: Buffer): Promise<RawResponse> {
  const m = multipart([
    ['metadata', 'busybox-meta.tar.xz', meta],
    ['rootfs', 'busybox-rootfs.tar.xz', rootfs],
  ])
  return call(d.socket, 'POST', '/1.0/images', { rawBody: m.body, headers: { 'Content-Type': m.type } })
}

/** GET returning the raw bytes and headers. */
function download(path: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: d.socket, path, headers: { Host: 'corral' } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

const imagesDir = () => join(d.dir, 'images')
const snapshot = () => ({
  rows: d.daemon.state.db.prepare('SELECT fingerprint FROM images ORDER BY fingerprint').all(),
  files: existsSync(imagesDir()) ? readdirSync(imagesDir()).sort() : [],
})

test(
  'a unified tarball imports as an operation whose result is its sha256 fingerprint and size',
  { skip },
  async () => {
    const tarball = file('busybox.tar.xz')
    const op = await waitOp(
      await importUnified(tarball, {
        'X-LXD-filename': 'busybox.tar.xz',
        'X-LXD-properties': 'extra=yes&os=busybox',
        'X-LXD-fingerprint': sha256(tarball),
      }),
    )
    assert.equal(op.status, 'Success', op.err)
    const fp = sha256(tarball)
    assert.equal(op.metadata.fingerprint, fp)
    assert.equal(op.metadata.size, String(tarball.length))
    const stored = statSync(join(imagesDir(), fp))
    assert.equal(stored.mode & 0o777, 0o600)
    assert.equal(statSync(imagesDir()).mode & 0o777, 0o700)
    const res = await call(d.socket, 'GET', `/1.0/images/${fp}`)
    assert.match(String(res.headers.etag), /^"[0-9a-f]{64}"$/)
    const img = res.body.metadata as Record<string, unknown>
    assert.deepEqual(
      { ...img, uploaded_at: 'x' },
      {
        aliases: [],
        architecture: 'x86_64',
        auto_update: false,
        cached: false,
        fingerprint: fp,
        filename: 'busybox.tar.xz',
        properties: {
          os: 'busybox',
          release: '1.35',
          description: 'BusyBox 1.35 (Debian busybox-static)',
          extra: 'yes',
        },
        public: false,
        expires_at: '0001-01-01T00:00:00Z',
        profiles: ['default'],
        size: tarball.length,
        type: 'container',
        created_at: img.created_at,
        last_used_at: '0001-01-01T00:00:00Z',
        uploaded_at: 'x',
      },
    )
    assert.match(String(img.created_at), /^\d{4}-\d\d-\d\dT/)
    assert.deepEqual(await ok(d.socket, 'GET', '/1.0/images'), [`/1.0/images/${fp}`])
    const again = await importUnified(tarball)
    assert.equal(again.status, 409)
    assert.equal(again.body.error, 'Image with same fingerprint already exists')
  },
)

test('split metadata + rootfs import as multipart; the fingerprint covers both files', { skip }, async () => {
  const meta = file('busybox-meta.tar.xz')
  const rootfs = file('busybox-rootfs.tar.xz')
  const op = await waitOp(await importSplit(meta, rootfs))
  assert.equal(op.status, 'Success', op.err)
  const fp = sha256(meta, rootfs)
  assert.equal(op.metadata.fingerprint, fp)
  assert.equal(op.metadata.size, String(meta.length + rootfs.length))
  assert.ok(existsSync(join(imagesDir(), `${fp}.rootfs`)))
  const img = await ok<Record<string, unknown>>(d.socket, 'GET', `/1.0/images/${fp.slice(0, 12)}`)
  assert.equal(img.fingerprint, fp)
  assert.equal(img.filename, 'busybox-meta.tar.xz')
})

test(
  'unpackImage() lays out metadata.yaml, templates/ and rootfs/ with owners and absolute symlinks kept',
  { skip },
  async () => {
    const target = mkdtempSync(join(tmpdir(), 'corral-unpack-'))
    try {
      for (const fp of [
        sha256(file('busybox.tar.xz')),
        sha256(file('busybox-meta.tar.xz'), file('busybox-rootfs.tar.xz')),
      ]) {
        const dir = join(target, fp)
        await unpackImage(d.daemon.state, fp, dir)
        assert.match(readFileSync(join(dir, 'metadata.yaml'), 'utf8'), /^architecture: x86_64$/m)
        assert.ok(existsSync(join(dir, 'templates/hostname.tpl')))
        assert.equal(readlinkSync(join(dir, 'rootfs/bin/sh')), '/bin/busybox')
        assert.equal(lstatSync(join(dir, 'rootfs/tmp')).mode & 0o7777, 0o1777)
        assert.equal(statSync(join(dir, 'rootfs/bin/busybox')).uid, 0)
        assert.ok(lstatSync(join(dir, 'rootfs/sbin/init')).isSymbolicLink())
      }
    } finally {
      rmSync(target, { recursive: true, force: true })
    }
  },
)

test(
  'aliases: create, list, get with ETag, update, rename, delete, and the image lists them',
  { skip },
  async () => {
    const fp = sha256(file('busybox.tar.xz'))
    const created = await call(d.socket, 'POST', '/1.0/images/aliases', {
      body: { name: 'bb', description: 'BusyBox', target: fp.slice(0, 8) },
    })
    assert.equal(created.status, 201)
    assert.equal(created.headers.location, '/1.0/images/aliases/bb')
    const dup = await call(d.socket, 'POST', '/1.0/images/aliases', { body: { name: 'bb', target: fp } })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.error, 'Alias already exists')
    const missing = await call(d.socket, 'POST', '/1.0/images/aliases', {
      body: { name: 'x', target: 'ffff' },
    })
    assert.equal(missing.status, 404)
    assert.deepEqual(await ok(d.socket, 'GET', '/1.0/images/aliases'), ['/1.0/images/aliases/bb'])
    assert.deepEqual(await ok(d.socket, 'GET', '/1.0/images/aliases?recursion=1'), [
      { name: 'bb', description: 'BusyBox', target: fp, type: 'container' },
    ])
    const got = await call(d.socket, 'GET', '/1.0/images/aliases/bb')
    const stale = await call(d.socket, 'PUT', '/1.0/images/aliases/bb', {
      body: { description: 'x', target: fp },
      headers: { 'If-Match': '"nope"' },
    })
    assert.equal(stale.status, 412)
    await ok(d.socket, 'PATCH', '/1.0/images/aliases/bb', {
      body: { description: 'Patched' },
      headers: { 'If-Match': String(got.headers.etag) },
    })
    const img = await ok<{ aliases: unknown[] }>(d.socket, 'GET', `/1.0/images/${fp}`)
    assert.deepEqual(img.aliases, [{ name: 'bb', description: 'Patched' }])
    const renamed = await call(d.socket, 'POST', '/1.0/images/aliases/bb', { body: { name: 'bb2' } })
    assert.equal(renamed.status, 201)
    assert.equal((await call(d.socket, 'GET', '/1.0/images/aliases/bb')).body.error, 'Image alias not found')
    await ok(d.socket, 'DELETE', '/1.0/images/aliases/bb2')
    await ok(d.socket, 'POST', '/1.0/images/aliases', { body: { name: 'bb', target: fp } })
    const bad = await call(d.socket, 'POST', '/1.0/images/aliases', { body: { name: 'a/b', target: fp } })
    assert.equal(bad.status, 400)
  },
)

test('properties and public are edited by PUT and merged by PATCH, with If-Match', { skip }, async () => {
  const fp = sha256(file('busybox.tar.xz'))
  const before = await call(d.socket, 'GET', `/1.0/images/${fp}`)
  await ok(d.socket, 'PUT', `/1.0/images/${fp}`, {
    body: { public: true, auto_update: false, properties: { os: 'busybox', note: 'edited' } },
    headers: { 'If-Match': String(before.headers.etag) },
  })
  const stale = await call(d.socket, 'PUT', `/1.0/images/${fp}`, {
    body: { properties: {} },
    headers: { 'If-Match': String(before.headers.etag) },
  })
  assert.equal(stale.status, 412)
  await ok(d.socket, 'PATCH', `/1.0/images/${fp}`, { body: { properties: { extra: '1' } } })
  const img = await ok<{ public: boolean; properties: Record<string, string> }>(
    d.socket,
    'GET',
    `/1.0/images/${fp}`,
  )
  assert.equal(img.public, true)
  assert.deepEqual(img.properties, { os: 'busybox', note: 'edited', extra: '1' })
  const typed = await call(d.socket, 'PATCH', `/1.0/images/${fp}`, { body: { public: 'yes' } })
  assert.equal(typed.status, 400)
})

test(
  'export returns the stored file (unified) or multipart metadata + rootfs (split), with the same fingerprint',
  { skip },
  async () => {
    const fp = sha256(file('busybox.tar.xz'))
    const unified = await download(`/1.0/images/${fp}/export`)
    assert.equal(unified.status, 200)
    assert.equal(unified.headers['content-disposition'], `attachment; filename=${fp}.tar.xz`)
    assert.equal(sha256(unified.body), fp)
    const splitFp = sha256(file('busybox-meta.tar.xz'), file('busybox-rootfs.tar.xz'))
    const split = await download(`/1.0/images/${splitFp}/export`)
    assert.equal(split.status, 200)
    const boundary = /boundary=(\S+)/.exec(String(split.headers['content-type']))?.[1]
    assert.ok(boundary)
    const text = split.body.toString('latin1')
    assert.match(text, new RegExp(`name="metadata"; filename="meta-${splitFp}.tar.xz"`))
    assert.match(text, new RegExp(`name="rootfs"; filename="${splitFp}.tar.xz"`))
    const parts = text
      .split(`--${boundary}`)
      .slice(1, -1)
      .map((p) => Buffer.from(p.slice(p.indexOf('\r\n\r\n') + 4, -2), 'latin1'))
    assert.equal(sha256(...parts), splitFp)
    const missing = await call(d.socket, 'GET', '/1.0/images/abcdef/export')
    assert.equal(missing.status, 404)
  },
)

test(
  'bad uploads are refused with 400 and leave nothing in the database or the image store',
  { skip },
  async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'corral-bad-'))
    const tar = (args: string[]) => {
      const r = spawnSync('tar', args, { encoding: 'utf8' })
      assert.equal(r.status, 0, r.stderr)
    }
    try {
      const src = join(scratch, 'src')
      mkdirSync(join(src, 'rootfs'), { recursive: true })
      writeFileSync(join(src, 'metadata.yaml'), 'architecture: x86_64\n')
      writeFileSync(join(src, 'rootfs', 'evil'), 'x')
      writeFileSync(join(src, 'other.txt'), 'x')
      const build = (name: string, args: string[]) => {
        tar(['-cf', join(scratch, name), '-C', src, ...args])
        return readFileSync(join(scratch, name))
      }
      const whole = file('busybox.tar.xz')
      const cases: [string, Buffer, RegExp][] = [
        ['truncated', whole.subarray(0, Math.floor(whole.length / 2)), /^Invalid image archive: /],
        ['not a tar', Buffer.from('hello world, not an archive at all'), /^Invalid image archive: /],
        ['no metadata.yaml', build('nometa.tar', ['rootfs', 'other.txt']), /metadata\.yaml is missing/],
        [
          '../ member',
          build('dd.tar', ['-P', '--transform', 's,^rootfs/evil$,../evil,', 'metadata.yaml', 'rootfs']),
          /has a "\.\." path component/,
        ],
      ]
      symlinkSync('/tmp', join(src, 'rootfs', 'link'))
      tar(['-cf', join(scratch, 'below.tar'), '-C', src, 'metadata.yaml', 'rootfs/link'])
      tar([
        '-rf',
        join(scratch, 'below.tar'),
        '-C',
        src,
        '--transform',
        's,^other.txt$,rootfs/link/pwned,',
        'other.txt',
      ])
      cases.push([
        'member below a symlink',
        readFileSync(join(scratch, 'below.tar')),
        /is below a symbolic link/,
      ])
      writeFileSync(join(src, 'metadata.yaml'), 'architecture: pdp11\n')
      cases.push([
        'unknown architecture',
        build('arch.tar', ['metadata.yaml', 'rootfs']),
        /architecture "pdp11" is not supported/,
      ])
      const before = snapshot()
      for (const [what, body, message] of cases) {
        const res = await importUnified(body)
        assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`)
        assert.match(String(res.body.error), message, what)
        assert.deepEqual(snapshot(), before, `${what} left something behind`)
      }
      const split = await importSplit(Buffer.from('junk'), file('busybox-rootfs.tar.xz'))
      assert.equal(split.status, 400)
      const wrongFp = await importUnified(file('busybox.tar.xz'), { 'X-LXD-fingerprint': 'abc' })
      assert.equal(wrongFp.status, 400)
      assert.match(String(wrongFp.body.error), /^Fingerprints don't match/)
      // Refused before any connection is attempted (the server names nothing reachable anyway).
      const remoteCases: [Record<string, unknown>, string][] = [
        [
          { protocol: 'simplestreams' },
          'Image server protocol "simplestreams" is not supported (only "lxd")',
        ],
        [{ mode: 'push' }, 'Image source mode "push" is not supported (only "pull")'],
        [{ server: 'http://127.0.0.1:1' }, 'Invalid image server "http://127.0.0.1:1": must be https://'],
        [{ certificate: 'junk' }, 'Invalid image server certificate'],
        [{ server: '' }, 'An image source needs a "server" to copy from'],
      ]
      for (const [patch, message] of remoteCases) {
        const remote = await call(d.socket, 'POST', '/1.0/images', {
          body: { source: { type: 'image', alias: 'debian/12', server: 'https://images.invalid', ...patch } },
          headers: { 'Content-Type': 'application/json' },
        })
        assert.equal(remote.status, 400, JSON.stringify(patch))
        assert.equal(remote.body.error, message)
      }
      assert.deepEqual(snapshot(), before)
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  },
)

test('findImage() resolves an alias, a fingerprint or a unique prefix, and 404s otherwise', { skip }, () => {
  const fp = sha256(file('busybox.tar.xz'))
  assert.equal(findImage(d.daemon.state, 'default', 'bb').fingerprint, fp)
  assert.equal(findImage(d.daemon.state, 'default', fp).fingerprint, fp)
  assert.equal(findImage(d.daemon.state, 'default', fp.slice(0, 10)).fingerprint, fp)
  assert.throws(() => findImage(d.daemon.state, 'default', 'no-such-alias'), {
    status: 404,
    message: 'Image not found',
  })
})

test('DELETE removes the image, its aliases and its files, as an operation', { skip }, async () => {
  const fp = sha256(file('busybox.tar.xz'))
  const op = await waitOp(await call(d.socket, 'DELETE', `/1.0/images/${fp}`))
  assert.equal(op.status, 'Success', op.err)
  assert.equal(existsSync(join(imagesDir(), fp)), false)
  assert.equal((await call(d.socket, 'GET', `/1.0/images/${fp}`)).status, 404)
  assert.equal((await call(d.socket, 'GET', '/1.0/images/aliases/bb')).status, 404)
  const splitFp = sha256(file('busybox-meta.tar.xz'), file('busybox-rootfs.tar.xz'))
  assert.equal((await waitOp(await call(d.socket, 'DELETE', `/1.0/images/${splitFp}`))).status, 'Success')
  assert.deepEqual(snapshot(), { rows: [], files: [] })
})

test('every change is reported as a lifecycle event named as LXD names it', { skip }, () => {
  const fp = sha256(file('busybox.tar.xz'))
  const actions = lifecycle.map((l) => l.split(' ')[0])
  for (const action of [
    'image-created',
    'image-updated',
    'image-deleted',
    'image-alias-created',
    'image-alias-updated',
    'image-alias-renamed',
    'image-alias-deleted',
  ]) {
    assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`)
  }
  assert.ok(lifecycle.includes(`image-created /1.0/images/${fp}`))
  assert.ok(lifecycle.includes('image-alias-renamed /1.0/images/aliases/bb2'))
})
