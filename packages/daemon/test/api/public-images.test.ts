/** @module API tier: what an untrusted TLS client sees of images: public ones, or one private image by its secret. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { call, ok } from '../helpers/http.js'
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js'
import { startTlsDaemon, stopTlsDaemon } from '../helpers/tls-daemon.js'
import { makeCert, tlsCall } from '../helpers/tls.js'

let d: TestDaemon
let work = ''
let port = 0
const fp = { public: '', private: '' }
const tarballs: Record<string, Buffer> = {}

const untrusted = (method: string, path: string, body?: unknown) => tlsCall({ port }, method, path, body)

/** A tiny unified image tarball whose content differs by `name`. */
function tarball(name: string): Buffer {
  const dir = join(work, name)
  mkdirSync(join(dir, 'rootfs'), { recursive: true })
  writeFileSync(
    join(dir, 'metadata.yaml'),
    `architecture: x86_64\ncreation_date: 1700000000\nproperties:\n  description: ${name}\n`,
  )
  writeFileSync(join(dir, 'rootfs', 'hello'), name)
  const out = join(work, `${name}.tar.gz`)
  execFileSync('tar', ['-czf', out, '-C', dir, 'metadata.yaml', 'rootfs'])
  return readFileSync(out)
}

async function importImage(name: string, isPublic: boolean): Promise<string> {
  tarballs[name] = tarball(name)
  const res = await call(d.socket, 'POST', '/1.0/images', {
    rawBody: tarballs[name],
    headers: { 'Content-Type': 'application/octet-stream', 'X-LXD-Public': isPublic ? 'true' : 'false' },
  })
  assert.equal(res.status, 202, JSON.stringify(res.body))
  const op = await ok<{ metadata: { fingerprint: string } }>(
    d.socket,
    'GET',
    `${String(res.body.operation)}/wait`,
  )
  await ok(d.socket, 'POST', '/1.0/images/aliases', { body: { name, target: op.metadata.fingerprint } })
  return op.metadata.fingerprint
}

/** An untrusted download of bytes. */
function download(path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

before(async () => {
  ;({ d, work, port } = await startTlsDaemon('corral-pubimg-'))
  fp.public = await importImage('pub', true)
  fp.private = await importImage('priv', false)
})

after(() => stopTlsDaemon(d, work))

test('an untrusted client lists, shows, resolves and exports public images only', async () => {
  for (const path of ['/1.0/images', '/1.0/images?project=other']) {
    const list = await untrusted('GET', path)
    assert.equal(list.status, 200)
    assert.deepEqual(list.body.metadata, [`/1.0/images/${fp.public}`], path)
  }
  const full = (await untrusted('GET', '/1.0/images?recursion=1')).body.metadata as { fingerprint: string }[]
  assert.deepEqual(
    full.map((i) => i.fingerprint),
    [fp.public],
  )
  assert.equal((await untrusted('GET', `/1.0/images/${fp.public}`)).status, 200)
  assert.equal((await untrusted('GET', '/1.0/images/aliases/pub')).status, 200)
  const exported = await download(`/1.0/images/${fp.public}/export`)
  assert.equal(exported.status, 200)
  assert.ok(exported.body.equals(tarballs.pub!))
  for (const path of [`/1.0/images/${fp.private}`, '/1.0/images/aliases/priv']) {
    const res = await untrusted('GET', path)
    assert.equal(res.status, 404, path)
    assert.equal(res.body.type, 'error')
  }
  assert.equal((await download(`/1.0/images/${fp.private}/export`)).status, 404)
})

test('an untrusted client can neither upload images nor add itself without a token', async () => {
  assert.equal((await untrusted('POST', '/1.0/images', {})).status, 403)
  assert.equal((await untrusted('POST', `/1.0/images/${fp.public}/secret`)).status, 403)
  const res = await untrusted('POST', '/1.0/certificates', { type: 'client' })
  assert.equal(res.status, 403)
  assert.equal(res.body.error, 'not authorized')
  assert.deepEqual(await ok(d.socket, 'GET', '/1.0/certificates'), [])
})

test("an image secret opens one private image to an untrusted client, once, and the secret's operation to it", async () => {
  const res = await call(d.socket, 'POST', `/1.0/images/${fp.private}/secret`)
  assert.equal(res.status, 202)
  const op = res.body.metadata as { id: string; class: string; metadata: { secret: string } }
  assert.equal(op.class, 'token')
  const secret = op.metadata.secret
  assert.match(secret, /^[0-9a-f]{64}$/)
  assert.equal((await untrusted('GET', `/1.0/images/${fp.private}?secret=${'0'.repeat(64)}`)).status, 404)
  assert.equal((await untrusted('GET', `/1.0/operations/${op.id}/wait?timeout=0`)).status, 403)
  assert.equal((await untrusted('GET', `/1.0/operations/${op.id}/wait?timeout=0&secret=nope`)).status, 403)
  const waited = await untrusted('GET', `/1.0/operations/${op.id}/wait?timeout=0&secret=${secret}`)
  assert.equal(waited.status, 200)
  assert.equal((waited.body.metadata as { status: string }).status, 'Running')
  const shown = await untrusted('GET', `/1.0/images/${fp.private}?secret=${secret}`)
  assert.equal(shown.status, 200)
  assert.equal((shown.body.metadata as { fingerprint: string }).fingerprint, fp.private)
  const exported = await download(`/1.0/images/${fp.private}/export?secret=${secret}`)
  assert.equal(exported.status, 200)
  assert.ok(exported.body.equals(tarballs.priv!))
  assert.equal(
    (await download(`/1.0/images/${fp.private}/export?secret=${secret}`)).status,
    404,
    'single use',
  )
  const done = await ok<{ status: string }>(d.socket, 'GET', `/1.0/operations/${op.id}`)
  assert.equal(done.status, 'Cancelled')
})

test("a second daemon copies a public image by alias over TLS, pinned to the first one's certificate", async () => {
  const target = await startTestDaemon()
  try {
    const source = await ok<{ environment: { certificate: string } }>(d.socket, 'GET', '/1.0')
    const pull = (src: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      call(target.socket, 'POST', '/1.0/images', {
        body: {
          source: {
            type: 'image',
            mode: 'pull',
            protocol: 'lxd',
            server: `https://127.0.0.1:${port}`,
            certificate: source.environment.certificate,
            ...src,
          },
          ...extra,
        },
        headers: { 'Content-Type': 'application/json' },
      })
    const waitFor = async (res: Awaited<ReturnType<typeof pull>>) => {
      assert.equal(res.status, 202, JSON.stringify(res.body))
      return ok<{ status: string; err: string; metadata: { fingerprint?: string } }>(
        target.socket,
        'GET',
        `${String(res.body.operation)}/wait?timeout=30`,
      )
    }
    // Pinned to another certificate: refused before anything is requested, nothing stored.
    const stranger = makeCert(work, 'not-the-server')
    const wrongPin = await waitFor(await pull({ alias: 'pub', certificate: stranger.cert }))
    assert.equal(wrongPin.status, 'Failure')
    assert.match(wrongPin.err, /does not match the expected one/)
    // A private image without a secret is not found there.
    const denied = await waitFor(await pull({ alias: 'priv' }))
    assert.equal(denied.status, 'Failure')
    assert.match(denied.err, /Failed getting image "priv" from https:\/\/127.0.0.1:\d+: Image not found/)
    assert.deepEqual(await ok(target.socket, 'GET', '/1.0/images'), [])

    const copied = await waitFor(
      await pull({ alias: 'pub' }, { aliases: [{ name: 'copied', description: '' }] }),
    )
    assert.equal(copied.status, 'Success', copied.err)
    assert.equal(copied.metadata.fingerprint, fp.public)
    const image = await ok<{ fingerprint: string; public: boolean; aliases: { name: string }[] }>(
      target.socket,
      'GET',
      `/1.0/images/${fp.public}`,
    )
    assert.equal(image.public, false)
    assert.deepEqual(
      image.aliases.map((a) => a.name),
      ['copied'],
    )

    // A private image with an image secret issued by its owner.
    const secretOp = await call(d.socket, 'POST', `/1.0/images/${fp.private}/secret`)
    const secret = (secretOp.body.metadata as { metadata: { secret: string } }).metadata.secret
    const priv = await waitFor(await pull({ fingerprint: fp.private, secret }))
    assert.equal(priv.status, 'Success', priv.err)
    assert.deepEqual(
      (await ok<string[]>(target.socket, 'GET', '/1.0/images')).sort(),
      [`/1.0/images/${fp.private}`, `/1.0/images/${fp.public}`].sort(),
    )
  } finally {
    await target.close()
  }
})
