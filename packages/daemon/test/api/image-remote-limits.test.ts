/** @module API tier: a hostile image server on 127.0.0.1 cannot make corrald buffer or store without bound. */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { maxJsonBytes } from '../../src/image/remote.js'
import { call, ok } from '../helpers/http.js'
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js'
import { freePort, makeCert, type ClientCert } from '../helpers/tls.js'

let d: TestDaemon
let work = ''
let server: Server
let port = 0
let pem: ClientCert
let sent = 0
const fp = 'b'.repeat(64)

/** What the hostile server does for each image reference. */
const routes: Record<string, (res: import('node:http').ServerResponse) => void> = {
  // An "image description" that never ends.
  huge: (res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.write('{"type":"sync","metadata":{"fingerprint":"')
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    const pump = () => {
      while (sent < 64 * maxJsonBytes && res.write(chunk)) sent += chunk.length
      if (sent < 64 * maxJsonBytes && !res.destroyed) res.once('drain', pump)
      else res.end()
    }
    pump()
  },
  badfp: (res) => json(res, { fingerprint: '../../etc', size: 10 }),
  small: (res) => json(res, { fingerprint: fp, size: 1000, properties: {}, filename: 'x' }),
}

function json(res: import('node:http').ServerResponse, metadata: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify({ type: 'sync', status: 'Success', status_code: 200, metadata }))
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'corral-hostile-server-'))
  pem = makeCert(work, 'server')
  port = await freePort()
  server = createServer({ cert: pem.cert, key: pem.key }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname
    if (path.startsWith('/1.0/images/aliases/')) {
      res.writeHead(404, { 'Content-Type': 'application/json' })
      return res.end('{"type":"error","error":"not found","error_code":404}')
    }
    if (path === `/1.0/images/${fp}/export`) {
      // Declared 1000 bytes; sends 8 MiB of it.
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
      let n = 0
      const chunk = Buffer.alloc(64 * 1024, 0x62)
      const pump = () => {
        while (n < 8 << 20 && res.write(chunk)) n += chunk.length
        if (n < 8 << 20 && !res.destroyed) res.once('drain', pump)
        else res.end()
      }
      return pump()
    }
    const route = routes[path.slice('/1.0/images/'.length)]
    if (route) return route(res)
    res.writeHead(404)
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  d = await startTestDaemon()
})

after(async () => {
  await d.close()
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(work, { recursive: true, force: true })
})

const stored = () => ({
  rows: d.daemon.state.db.prepare('SELECT fingerprint FROM images').all(),
  files: existsSync(join(d.dir, 'images')) ? readdirSync(join(d.dir, 'images')) : [],
})

async function pull(ref: string): Promise<{ status: string; err: string }> {
  const res = await call(d.socket, 'POST', '/1.0/images', {
    headers: { 'Content-Type': 'application/json' },
    body: {
      source: { type: 'image', server: `https://127.0.0.1:${port}`, certificate: pem.cert, fingerprint: ref },
    },
  })
  assert.equal(res.status, 202, JSON.stringify(res.body))
  return ok(d.socket, 'GET', `${String(res.body.operation)}/wait?timeout=60`)
}

test('an endless JSON answer is cut off at the cap, not buffered', async () => {
  const op = await pull('huge')
  assert.equal(op.status, 'Failure')
  assert.match(op.err, /larger than 4 MiB/)
  assert.ok(sent < 16 * maxJsonBytes, `the server got to send ${sent} bytes`)
  assert.deepEqual(stored(), { rows: [], files: [] })
})

test('a description whose fingerprint is not one is refused', async () => {
  const op = await pull('badfp')
  assert.equal(op.status, 'Failure')
  assert.match(op.err, /bad fingerprint/)
  assert.deepEqual(stored(), { rows: [], files: [] })
})

test('a download larger than the size the server announced is stopped and its staging removed', async () => {
  const op = await pull('small')
  assert.equal(op.status, 'Failure')
  assert.match(op.err, /larger than the 1000 bytes announced/)
  assert.deepEqual(stored(), { rows: [], files: [] })
})
