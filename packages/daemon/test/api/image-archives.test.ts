/** @module API tier: image archives as real writers make them import and unpack file for file; hostile ones are refused with nothing stored. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { after, before, test } from 'node:test'
import { unpackImage } from '../../src/image/unpack.js'
import { call, ok, type RawResponse } from '../helpers/http.js'
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js'
import { makeCert, tlsCall, type ClientCert, listenTls } from '../helpers/tls.js'

const repoRoot = new URL('../../../../../', import.meta.url).pathname
const fixtures = join(repoRoot, 'test/fixtures')
const missing = ['mksquashfs', 'unsquashfs', 'python3', 'zstd', 'bzip2'].find(
  (t) => spawnSync('which', [t]).status !== 0,
)
const skip =
  process.getuid?.() !== 0
    ? 'building the image corpus needs root'
    : !existsSync('/bin/busybox')
      ? '/bin/busybox is missing (install busybox-static)'
      : missing
        ? `${missing} is missing (scripts/install-deps.sh installs it)`
        : undefined
if (skip) console.log(`# skipping image archive tests: ${skip}`)

let d: TestDaemon
let work = ''
let corpus: { name: string; files: string[] }[] = []
let port = 0
let tenant: ClientCert

const sha256 = (...bufs: Buffer[]) => {
  const h = createHash('sha256')
  for (const b of bufs) h.update(b)
  return h.digest('hex')
}
const imagesDir = () => join(d.dir, 'images')
const snapshot = () => ({
  rows: d.daemon.state.db
    .prepare('SELECT fingerprint, project_id, properties FROM images ORDER BY fingerprint')
    .all(),
  files: existsSync(imagesDir()) ? readdirSync(imagesDir()).sort() : [],
})

function multipart(meta: Buffer, rootfs: Buffer): { body: Buffer; type: string } {
  const b = 'corralcorpusboundary'
  const head = (name: string) =>
    Buffer.from(
      `--${b}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    )
  return {
    body: Buffer.concat([
      head('metadata'),
      meta,
      Buffer.from('\r\n'),
      head('rootfs'),
      rootfs,
      Buffer.from(`\r\n--${b}--\r\n`),
    ]),
    type: `multipart/form-data; boundary=${b}`,
  }
}

/** POST /1.0/images of one or two files over the socket. */
function upload(files: string[], headers: Record<string, string> = {}): Promise<RawResponse> {
  const [meta, rootfs] = files.map((f) => readFileSync(f))
  if (!rootfs)
    return call(d.socket, 'POST', '/1.0/images', {
      rawBody: meta,
      headers: { 'Content-Type': 'application/octet-stream', ...headers },
    })
  const m = multipart(meta!, rootfs)
  return call(d.socket, 'POST', '/1.0/images', {
    rawBody: m.body,
    headers: { 'Content-Type': m.type, ...headers },
  })
}

/** POST /1.0/images of a raw tarball over TLS as `who`. */
function tlsUpload(
  who: ClientCert,
  path: string,
  body: Buffer,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        rejectUnauthorized: false,
        ...who,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length },
      },
      (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString()))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

before(async () => {
  if (skip) return
  work = mkdtempSync(join(tmpdir(), 'corral-corpus-'))
  const r = spawnSync('bash', [join(fixtures, 'image-corpus.sh'), join(work, 'corpus')], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  corpus = readFileSync(join(work, 'corpus/manifest'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [name, ...files] = l.split(' ')
      return { name: name!, files }
    })
  const h = spawnSync('python3', [join(fixtures, 'hostile_images.py'), join(work, 'hostile')], {
    encoding: 'utf8',
  })
  assert.equal(h.status, 0, h.stderr)
  d = await startTestDaemon()
  port = await listenTls(d)
  tenant = makeCert(work, 'tenant')
  await ok(d.socket, 'POST', '/1.0/projects', {
    body: { name: 'tenant', config: { 'features.images': 'true', restricted: 'true' } },
  })
  await ok(d.socket, 'POST', '/1.0/certificates', {
    body: {
      name: 'tenant',
      type: 'client',
      certificate: tenant.cert,
      restricted: true,
      projects: ['tenant'],
    },
  })
})

after(async () => {
  if (skip) return
  await d.close()
  rmSync(work, { recursive: true, force: true })
})

/** Every path under `dir`, relative, sorted. */
function walk(dir: string): string[] {
  const out: string[] = []
  const go = (p: string) => {
    for (const name of readdirSync(p)) {
      const full = join(p, name)
      out.push(relative(dir, full))
      if (lstatSync(full).isDirectory()) go(full)
    }
  }
  go(dir)
  return out.sort()
}

test(
  'archives from GNU tar (relative, ./, --absolute-names, no directory entries), bsdtar, Python tarfile and mksquashfs import and unpack file for file',
  { skip },
  async () => {
    const tree = join(work, 'corpus/tree/rootfs')
    const expected = walk(tree)
    assert.ok(corpus.length >= 6, JSON.stringify(corpus))
    if (!corpus.some((c) => c.name === 'bsdtar'))
      console.log('# bsdtar is not installed: its archive is not in the corpus')
    for (const { name, files } of corpus) {
      const res = await upload(files)
      assert.equal(res.status, 202, `${name}: ${JSON.stringify(res.body)}`)
      const op = await ok<{ status: string; err: string; metadata: { fingerprint: string } }>(
        d.socket,
        'GET',
        `${String(res.body.operation)}/wait?timeout=60`,
      )
      assert.equal(op.status, 'Success', `${name}: ${op.err}`)
      assert.equal(op.metadata.fingerprint, sha256(...files.map((f) => readFileSync(f))))
      const target = join(work, `unpacked-${name}`)
      await unpackImage(d.daemon.state, op.metadata.fingerprint, target)
      const root = join(target, 'rootfs')
      assert.ok(lstatSync(join(target, 'metadata.yaml')).isFile(), name)
      // Parents with no entry of their own are made 0755 and root-owned, as LXD's tar makes them.
      for (const dir of ['', 'usr/bin', 'usr/sbin']) {
        const st = lstatSync(join(root, dir))
        assert.ok(st.isDirectory(), `${name}: ${dir}`)
        assert.equal(st.uid, 0, `${name}: ${dir} owner`)
      }
      assert.equal(readFileSync(join(root, 'bin/busybox')).equals(readFileSync('/bin/busybox')), true, name)
      assert.equal(readlinkSync(join(root, 'bin/sh')), '/bin/busybox', name)
      if (name === 'python-tarfile') {
        // pylxd's layout: the absolute /rootfs/etc/inittab lands inside, its parents are made.
        assert.equal(readFileSync(join(root, 'etc/inittab'), 'utf8'), '\n')
        assert.equal(lstatSync(join(root, 'etc')).mode & 0o7777, 0o755)
        assert.equal(lstatSync(join(root, 'usr/bin')).mode & 0o7777, 0o755)
        assert.equal(
          lstatSync(join(root, 'tmp')).mode & 0o7777,
          0o644,
          "tarfile's default directory mode, kept",
        )
        continue
      }
      assert.deepEqual(walk(root), expected, `${name}: the same paths`)
      for (const rel of expected) {
        const want = lstatSync(join(tree, rel))
        const got = lstatSync(join(root, rel))
        assert.equal(got.isSymbolicLink(), want.isSymbolicLink(), `${name}: ${rel} type`)
        if (want.isFile())
          assert.ok(readFileSync(join(root, rel)).equals(readFileSync(join(tree, rel))), `${name}: ${rel}`)
        if (want.isSymbolicLink()) assert.equal(readlinkSync(join(root, rel)), readlinkSync(join(tree, rel)))
        const empty = want.isDirectory() && readdirSync(join(tree, rel)).length === 0
        if (name !== 'gnu-files-only' || !want.isDirectory() || empty)
          assert.equal(got.mode & 0o7777, want.mode & 0o7777, `${name}: ${rel} mode`)
        else assert.equal(got.mode & 0o7777, 0o755, `${name}: ${rel} made by tar`)
      }
      const data = lstatSync(join(root, 'corpus/data'))
      assert.equal(lstatSync(join(root, 'corpus/data.link')).ino, data.ino, `${name}: the hard link is one`)
      const sparse = lstatSync(join(root, 'corpus/sparse'))
      assert.equal(sparse.size, 16 * 1024 * 1024)
      if (['gnu-dotslash', 'gnu-absolute', 'split-squashfs'].includes(name))
        assert.ok(
          sparse.blocks * 512 < 1024 * 1024,
          `${name}: the sparse file stays sparse (${sparse.blocks} blocks)`,
        )
      rmSync(target, { recursive: true, force: true })
    }
  },
)

test(
  'the hostile corpus (escapes, links through symlinks, device nodes, wrong layout types, control characters) is refused with nothing stored',
  { skip },
  async () => {
    const cases = readdirSync(join(work, 'hostile')).map(
      (f) => [f, [join(work, 'hostile', f)]] as [string, string[]],
    )
    // A squashfs is only ever the rootfs half of a split image.
    cases.push(['squashfs-unified', [join(work, 'corpus/split-rootfs.squashfs')]])
    const before = snapshot()
    for (const [name, files] of cases) {
      const res = await upload(files)
      assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`)
      assert.equal(res.body.type, 'error')
      assert.deepEqual(snapshot(), before, `${name} left something behind`)
    }
    const good = corpus.find((c) => c.name === 'gnu')!.files
    const header = await upload(good, {
      'X-LXD-properties': new URLSearchParams({ os: 'x\nlxc.cap.drop =' }).toString(),
    })
    assert.equal(header.status, 400)
    assert.match(String(header.body.error), /control characters are not allowed/)
    assert.deepEqual(snapshot(), before)
    assert.equal(existsSync('/tmp/corral-pwned'), false)
  },
)

test(
  'a certificate restricted to a restricted project gets the same refusals over TLS, and nothing is stored',
  { skip },
  async () => {
    const before = snapshot()
    for (const name of [
      'below-symlink',
      'hardlink-through-symlink',
      'block-device',
      'property-newline',
      'rootfs-symlink',
    ]) {
      const res = await tlsUpload(
        tenant,
        '/1.0/images?project=tenant',
        readFileSync(join(work, 'hostile', `${name}.tar`)),
      )
      assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`)
      assert.deepEqual(snapshot(), before, `${name} left something behind`)
    }
    // And the property edit path: an image it owns cannot take a control character either.
    const res = await tlsUpload(
      tenant,
      '/1.0/images?project=tenant',
      readFileSync(corpus.find((c) => c.name === 'gnu')!.files[0]!),
    )
    assert.equal(res.status, 202, JSON.stringify(res.body))
    const op = await ok<{ status: string; metadata: { fingerprint: string } }>(
      d.socket,
      'GET',
      `${String(res.body.operation)}/wait?timeout=60`,
    )
    assert.equal(op.status, 'Success')
    const path = `/1.0/images/${op.metadata.fingerprint}?project=tenant`
    const edit = await tlsCall({ port, who: tenant }, 'PATCH', path, {
      properties: { os: 'x\nlxc.apparmor.profile = unconfined' },
    })
    assert.equal(edit.status, 400, JSON.stringify(edit.body))
    const shown = await tlsCall({ port, who: tenant }, 'GET', path)
    assert.equal((shown.body.metadata as { properties: Record<string, string> }).properties.os, 'busybox')
  },
)

test(
  'a multipart upload that never sends its boundary is refused once 64 KiB have come, nothing stored',
  { skip },
  async () => {
    const before = snapshot()
    const res = await call(d.socket, 'POST', '/1.0/images', {
      rawBody: Buffer.alloc(1 << 20, 0x41),
      headers: { 'Content-Type': 'multipart/form-data; boundary=neverthere' },
    })
    assert.equal(res.status, 400)
    assert.match(String(res.body.error), /no boundary in the first 64 KiB/)
    assert.deepEqual(snapshot(), before)
  },
)
