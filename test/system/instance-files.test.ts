/** @module System tier: the files API refuses FIFOs and devices inside a real container, promptly. */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true, pool: true })
if (skip) console.log(`# skipping instance files system tests: ${skip}`)
const name = `crl${process.pid}ff`
let s: LxcSession

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-files', { image: true, pool: true })
  s.must(['launch', 'busybox', name])
})

after(async () => {
  if (!skip) await s?.close([name])
})

/** One request on the daemon's socket; fails (and aborts) if no answer comes within 10 s. */
function fetchFile(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: s.daemon().socket,
        method,
        path: `/1.0/instances/${name}/files?path=${encodeURIComponent(path)}`,
        timeout: 10_000,
      },
      (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString('utf8')))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} hung for 10 s`)))
    req.on('error', reject)
    req.end(body)
  })
}

test('GET and POST of a FIFO made inside the container answer 400 at once', { skip }, async () => {
  s.must(['exec', name, '--', 'mkfifo', '/fifo'])
  const started = Date.now()
  const got = await fetchFile('GET', '/fifo')
  assert.equal(got.status, 400, got.text)
  assert.equal((JSON.parse(got.text) as { error: string }).error, 'Path is a fifo, not a regular file')
  const pushed = await fetchFile('POST', '/fifo', 'data')
  assert.equal(pushed.status, 400, pushed.text)
  assert.ok(Date.now() - started < 5_000, 'no wait on the FIFO')
  assert.equal(s.must(['exec', name, '--', 'stat', '-c', '%F', '/fifo']), 'fifo\n', 'the FIFO is untouched')
})

test('a symlink to a FIFO and a device node are refused too', { skip }, async () => {
  s.must(['exec', name, '--', 'ln', '-s', '/fifo', '/fifo-link'])
  const through = await fetchFile('POST', '/fifo-link', 'data')
  assert.equal(through.status, 400, through.text)
  const device = await fetchFile('POST', '/dev/null', 'data')
  assert.equal(device.status, 400, device.text)
  assert.match(device.text, /Path is a character device, not a regular file/)
})

test('lxc file pull and push of a FIFO fail with the reason instead of hanging', { skip }, () => {
  const pulled = s.lxc(['file', 'pull', `${name}/fifo`, join(s.home, 'out')])
  assert.notEqual(pulled.status, 0)
  assert.match(pulled.stderr, /Path is a fifo, not a regular file/)
  const pushed = s.lxc(['file', 'push', '-', `${name}/fifo`], 'data\n')
  assert.notEqual(pushed.status, 0)
  assert.match(pushed.stderr, /Path is a fifo, not a regular file/)
})
