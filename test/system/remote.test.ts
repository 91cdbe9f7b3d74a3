/** @module System tier: trust tokens with the stock lxc client over TLS on loopback. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
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
  'garbage and truncated tokens are refused by the server with 403 "not authorized" as LXD answers, and nothing is added',
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
      assert.equal(body.error_code, 403)
      assert.equal(body.error, 'not authorized')
    }
    assert.equal(s.must(['config', 'trust', 'list', '--format', 'csv']), before)
  },
)

/**
 * Runs the stock client on a pseudo-terminal (util-linux script) and types `typed` once it shows
 * its password prompt, as a person would; resolves with the exit status and what the terminal showed.
 */
function onTerminal(
  conf: string,
  args: string[],
  typed: string,
): Promise<{ status: number | null; stdout: string }> {
  const line = ['lxc', ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')
  const child = spawn('script', ['-qec', line, '/dev/null'], { env: stockClientEnv(conf) })
  let stdout = ''
  let sent = false
  const timer = setTimeout(() => child.kill(), 60_000)
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString()
    if (!sent && /Admin password \(or token\) for [^:]+: $/.test(stdout)) {
      sent = true
      child.stdin.write(typed)
    }
  })
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout })
    }),
  )
}

test(
  'core.trust_password: lxc config set stores it hashed and shows it as true, other edits keep it',
  { skip },
  () => {
    s.must(['config', 'set', 'core.trust_password', 'stock-pass-1'])
    assert.equal(s.must(['config', 'get', 'core.trust_password']), 'true\n')
    assert.match(s.must(['config', 'show']), /^ {2}core\.trust_password: true$/m)
    // Read the database itself: only the hash is there, never the password.
    const query =
      "import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute(\"SELECT value FROM config WHERE key='core.trust_password'\").fetchone(); print(r[0] if r else '')"
    const stored = () => run('python3', ['-c', query, `${s.dir}/database/local.db`]).stdout.trim()
    const hash = stored()
    assert.match(hash, /^scrypt:16384:8:1:[0-9a-f]{64}:[0-9a-f]{128}$/)
    assert.doesNotMatch(hash, /stock-pass-1/)
    s.must(['config', 'set', 'core.shutdown_timeout', '3'])
    assert.equal(s.must(['config', 'get', 'core.trust_password']), 'true\n')
    assert.equal(stored(), hash, 'lxc config set of another key (GET then PUT with true) keeps it')
    s.must(['config', 'unset', 'core.shutdown_timeout'])
  },
)

test(
  'lxc remote add prompts for the admin password on a terminal; a wrong one is refused and adds nothing',
  { skip },
  async () => {
    const before = s.must(['config', 'trust', 'list', '--format', 'csv'])
    /** `lxc remote add pw` from a new client config, answering the prompt with `password`. */
    const addWithPassword = async (password: string) => {
      const conf = mkdtempSync('/tmp/corral-remote-conf-')
      confs.push(conf)
      const args = ['remote', 'add', 'pw', `127.0.0.1:${port}`, '--accept-certificate']
      return { conf, ...(await onTerminal(conf, args, `${password}\n`)) }
    }
    const wrong = await addWithPassword('nope')
    assert.notEqual(wrong.status, 0, wrong.stdout)
    assert.match(wrong.stdout, /Admin password \(or token\) for pw:/)
    assert.match(wrong.stdout, /not authorized/)
    assert.equal(s.must(['config', 'trust', 'list', '--format', 'csv']), before)
    const added = await addWithPassword('stock-pass-1')
    const conf = added.conf
    assert.equal(added.status, 0, added.stdout)
    assert.match(added.stdout, /Admin password \(or token\) for pw:/)
    assert.doesNotMatch(added.stdout, /stock-pass-1/, 'the prompt does not echo it')
    const lxc = (args: string[]) => run('lxc', args, { env: stockClientEnv(conf) })
    const profiles = lxc(['profile', 'list', 'pw:', '--format', 'csv'])
    assert.equal(profiles.status, 0, profiles.stderr)
    assert.match(profiles.stdout, /^default,/m)
    // The same password from stdin (not a terminal), as the client also reads it.
    const piped = mkdtempSync('/tmp/corral-remote-conf-')
    confs.push(piped)
    const viaStdin = run('lxc', ['remote', 'add', 'pw2', `127.0.0.1:${port}`, '--accept-certificate'], {
      env: stockClientEnv(piped),
      input: 'stock-pass-1\n',
    })
    assert.equal(viaStdin.status, 0, viaStdin.stderr)
    const after = s.must(['config', 'trust', 'list', '--format', 'csv']).trim().split('\n')
    assert.equal(after.length, before.trim().split('\n').filter(Boolean).length + 2)
    s.must(['config', 'unset', 'core.trust_password'])
    const closed = mkdtempSync('/tmp/corral-remote-conf-')
    confs.push(closed)
    const refused = run('lxc', ['remote', 'add', 'pw3', `127.0.0.1:${port}`, '--accept-certificate'], {
      env: stockClientEnv(closed),
      input: 'stock-pass-1\n',
    })
    assert.notEqual(refused.status, 0, 'unset again: the password no longer works')
  },
)
