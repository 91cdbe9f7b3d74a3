/**
 * @module System tier: a container whose init ignores its halt signal, stopped with the stock
 * client: the clean stop kills it at the timeout, and a forced stop or delete issued while the
 * clean stop waits takes effect at once, the clean stop then returning without an error.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, before, test } from 'node:test'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true, pool: true })
const name = `crsp${process.pid}`
let s: LxcSession

/** Runs the stock client in the background; resolves with its status, output and wall time. */
function lxcAsync(args: string[]): Promise<{ status: number | null; stderr: string; ms: number }> {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn('lxc', args, { env: s.env(), stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
    child.once('close', (status) => resolve({ status, stderr, ms: Date.now() - started }))
  })
}

/** Runs the stock client and measures it. */
function timed(args: string[]): { status: number | null; stderr: string; ms: number } {
  const started = Date.now()
  const r = s.lxc(args)
  return { status: r.status, stderr: r.stderr, ms: Date.now() - started }
}

const status = () => s.must(['list', name, '--format', 'csv', '-c', 's']).trim()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Starts the container with an init that has no handler for any signal (so it ignores SIGPWR). */
function startDeaf(): void {
  s.must(['start', name])
  assert.equal(status(), 'RUNNING')
  assert.match(s.must(['exec', name, '--', 'cat', '/proc/1/cmdline']), /^\/bin\/sleep/)
}

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-stop', { image: true, pool: true })
  s.must(['init', 'busybox', name, '-c', 'raw.lxc=lxc.init.cmd = /bin/sleep 100000'])
})

after(async () => {
  if (!skip) await s.close([name])
})

test('a clean stop of a container that ignores its halt signal kills it at the timeout', { skip }, () => {
  startDeaf()
  const r = timed(['stop', name, '--timeout', '3'])
  assert.equal(r.status, 0, r.stderr)
  assert.ok(r.ms >= 3000, `waited the timeout (${r.ms} ms)`)
  assert.ok(r.ms < 8000, `then killed it (${r.ms} ms)`)
  assert.equal(status(), 'STOPPED')
})

test(
  'lxc stop --force while a clean stop waits succeeds within a second; the clean stop returns ok',
  { skip },
  async () => {
    startDeaf()
    const clean = lxcAsync(['stop', name, '--timeout', '60'])
    await sleep(1500)
    const forced = timed(['stop', name, '--force'])
    assert.equal(forced.status, 0, forced.stderr)
    assert.ok(forced.ms < 1000, `forced stop took ${forced.ms} ms`)
    const c = await clean
    assert.equal(c.status, 0, c.stderr)
    assert.ok(c.ms < 5000, `the clean stop returned once the container was down (${c.ms} ms)`)
    assert.equal(status(), 'STOPPED')
  },
)

test(
  'lxc delete --force while a clean stop waits succeeds within a second; the clean stop returns ok',
  { skip },
  async () => {
    startDeaf()
    const clean = lxcAsync(['stop', name, '--timeout', '60'])
    await sleep(1500)
    const deleted = timed(['delete', name, '--force'])
    assert.equal(deleted.status, 0, deleted.stderr)
    assert.ok(deleted.ms < 1000, `forced delete took ${deleted.ms} ms`)
    const c = await clean
    assert.equal(c.status, 0, c.stderr)
    assert.equal(s.lxc(['info', name]).status, 1, 'the instance is gone')
  },
)
