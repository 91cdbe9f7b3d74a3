// Unit tier: `corral remote generate-certificate`'s files, with the real openssl: a .crt, a .pfx that opens only with its password, no key left behind.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { generateBrowserCertificate } from '../src/remotes/browser-cert.js'

const pkcs12 = (pfx: string, password: string) =>
  spawnSync('openssl', ['pkcs12', '-in', pfx, '-nodes', '-passin', 'stdin'], {
    input: `${password}\n`,
    encoding: 'utf8',
  })

test('writes the .crt and a password-protected .pfx holding the same certificate and its key', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-browser-cert-test-'))
  try {
    const base = path.join(dir, 'ui')
    const { crt, pfx } = await generateBrowserCertificate(base, 's3cret')
    assert.deepEqual(fs.readdirSync(dir).sort(), ['ui.crt', 'ui.pfx'], 'no unencrypted key is left')
    assert.equal(fs.statSync(pfx).mode & 0o777, 0o600)
    const opened = pkcs12(pfx, 's3cret')
    assert.equal(opened.status, 0, opened.stderr)
    assert.match(opened.stdout, /BEGIN PRIVATE KEY/)
    const fromPfx = opened.stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0]
    assert.equal(fromPfx?.replace(/\s/g, ''), fs.readFileSync(crt, 'utf8').trim().replace(/\s/g, ''))
    assert.notEqual(pkcs12(pfx, 'wrong').status, 0, 'a wrong password does not open it')
    await assert.rejects(generateBrowserCertificate(base, 'x'), /already exists/)
    await assert.rejects(generateBrowserCertificate(path.join(dir, 'other'), ''), /needs a password/)
    assert.deepEqual(fs.readdirSync(dir).sort(), ['ui.crt', 'ui.pfx'])
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
