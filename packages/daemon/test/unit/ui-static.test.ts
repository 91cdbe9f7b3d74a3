/** @module Unit tier: the UI's static files: app routes, CSP nonce per response, no escape from dist/ui, methods. */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { serveUi, uiDir } from '../../src/ui/static.js'

let server: Server
let port = 0
const skip = existsSync(join(uiDir, 'index.html')) ? undefined : 'the UI is not built (npm run build)'

before(async () => {
  server = createServer((req, res) => {
    if (!serveUi(req, res)) res.writeHead(299).end('router')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as { port: number }).port
})
after(() => server.close())

function get(path: string, opts: { method?: string; accept?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: opts.method ?? 'GET',
          headers: opts.accept ? { Accept: opts.accept } : {},
        },
        (res) => {
          let body = ''
          res.on('data', (c: Buffer) => (body += c.toString('utf8')))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        },
      )
      req.on('error', reject)
      req.end()
    },
  )
}

test(
  'the app is served for /ui/ and its routes, each response with its own nonce in page and policy',
  { skip },
  async () => {
    const a = await get('/ui/')
    const b = await get('/ui/instances/c1/terminal')
    for (const r of [a, b]) {
      assert.equal(r.status, 200)
      const nonce = /nonce-([A-Za-z0-9+/=]+)'/.exec(String(r.headers['content-security-policy']))?.[1]
      assert.ok(nonce)
      assert.match(r.body, new RegExp(`<meta name="csp-nonce" content="${nonce.replace(/[+/]/g, '\\$&')}"`))
      assert.doesNotMatch(r.body, /__CSP_NONCE__/)
      assert.equal(r.headers['x-frame-options'], 'DENY')
      assert.equal(r.headers['cache-control'], 'no-store')
    }
    assert.notEqual(a.headers['content-security-policy'], b.headers['content-security-policy'])
  },
)

test('a missing asset is 404, a path out of dist/ui is never read, mutations are 405', { skip }, async () => {
  assert.equal((await get('/ui/assets/nope.js')).status, 404)
  for (const p of ['/ui/%2e%2e/%2e%2e/package.json', '/ui/..%2f..%2fpackage.json', '/ui/%00'])
    assert.doesNotMatch((await get(p)).body, /"name": "@corral\/daemon"/, p)
  assert.equal((await get('/ui/', { method: 'POST' })).status, 405)
})

test("/ goes to /ui/ for a browser only; the API paths stay the router's", async () => {
  const html = await get('/', { accept: 'text/html,application/xhtml+xml' })
  assert.equal(html.status, 302)
  assert.equal(html.headers.location, '/ui/')
  assert.equal((await get('/')).status, 299)
  assert.equal((await get('/1.0/instances')).status, 299)
  assert.equal((await get('/ui')).status, 302)
  assert.equal((await get('/uix')).status, 299)
})
