/** @module System tier: trust tokens with the stock lxc client over TLS on loopback. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { makeClientCert } from '../helpers/certs.js'
import { freePort, run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { stockClientEnv } from '../helpers/stock-client.js'

const skip = sessionSkipReason()
let s: LxcSession
let port = 0
const confs: string[] = []

/** A fresh client configuration (its own client certificate), as a second machine would have. */
function newClient() {
  const conf = mkdtempSync('/tmp/corral-remote-conf-')
  confs.push(conf)
  return (args: string[]) => run('lxc', args, { env: stockClientEnv(conf) })
}

/** Issues a token on the server and returns the token string. */
function token(name: string): string {
  const out = s.must(['config', 'trust', 'add', '--name', name]).trim().split('\n')
  return out[out.length - 1]!
}

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-remote')
  port = await freePort()
  s.must(['config', 'set', 'core.https_address', `127.0.0.1:${port}`])
})

after(async () => {
  if (skip) return
  await s.close()
  for (const c of confs) rmSync(c, { recursive: true, force: true })
})

test(
  'lxc remote add with a token makes the client trusted; lxc list and profile list work remotely',
  { skip },
  () => {
    const t = token('r1')
    assert.match(s.must(['config', 'trust', 'list-tokens', '--format', 'csv']), /^r1,/m)
    const lxc = newClient()
    const added = lxc(['remote', 'add', 'r1', t])
    assert.equal(added.status, 0, added.stderr)
    const profiles = lxc(['profile', 'list', 'r1:', '--format', 'csv'])
    assert.equal(profiles.status, 0, profiles.stderr)
    assert.match(profiles.stdout, /^default,/m)
    assert.equal(lxc(['list', 'r1:', '--format', 'csv']).status, 0)
    const trusted = s.must(['config', 'trust', 'list', '--format', 'csv'])
    assert.match(trusted, /r1/)
    assert.doesNotMatch(
      s.must(['config', 'trust', 'list-tokens', '--format', 'csv']),
      /^r1,/m,
      'the token is used up',
    )
  },
)

test('the same token a second time is refused', { skip }, () => {
  const t = token('r2')
  assert.equal(newClient()(['remote', 'add', 'r2', t]).status, 0)
  const again = newClient()(['remote', 'add', 'r2', t])
  assert.notEqual(again.status, 0)
})

test('an expired token is refused', { skip }, async () => {
  s.must(['config', 'set', 'core.remote_token_expiry', '1S'])
  const t = token('r3')
  await new Promise((r) => setTimeout(r, 1500))
  const r = newClient()(['remote', 'add', 'r3', t])
  assert.notEqual(r.status, 0)
  s.must(['config', 'unset', 'core.remote_token_expiry'])
})

test('a revoked token is refused', { skip }, () => {
  const t = token('r4')
  s.must(['config', 'trust', 'revoke-token', 'r4'])
  const r = newClient()(['remote', 'add', 'r4', t])
  assert.notEqual(r.status, 0)
})

test(
  "garbage and truncated tokens are refused by the server with LXD's message, and nothing is added",
  { skip },
  () => {
    const before = s.must(['config', 'trust', 'list', '--format', 'csv'])
    for (const bad of ['not-a-token', Buffer.from('{"secret":').toString('base64')]) {
      const r = run('curl', [
        '-sk',
        '-X',
        'POST',
        '-d',
        JSON.stringify({ trust_token: bad }),
        `https://127.0.0.1:${port}/1.0/certificates`,
      ])
      const body = JSON.parse(r.stdout) as { error_code: number; error: string }
      assert.equal(body.error_code, 403, 'no client certificate: not authorized')
    }
    const dir = mkdtempSync('/tmp/corral-remote-cert-')
    confs.push(dir)
    const { cert, key } = makeClientCert(dir, 'x')
    for (const bad of ['not-a-token', Buffer.from('{"secret":').toString('base64')]) {
      const r = run('curl', [
        '-sk',
        '--cert',
        cert,
        '--key',
        key,
        '-X',
        'POST',
        '-d',
        JSON.stringify({ trust_token: bad }),
        `https://127.0.0.1:${port}/1.0/certificates`,
      ])
      const body = JSON.parse(r.stdout) as { error_code: number; error: string }
      assert.equal(body.error_code, 400)
      assert.equal(body.error, 'Failed decoding trust token')
    }
    assert.equal(s.must(['config', 'trust', 'list', '--format', 'csv']), before)
  },
)
