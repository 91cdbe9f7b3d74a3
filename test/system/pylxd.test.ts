/** @module System tier: pylxd (Debian's python3-pylxd 2.2) drives corrald unchanged. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { makeClientCert } from '../helpers/certs.js'
import { freePort, run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const python = '/usr/bin/python3'
const skip =
  sessionSkipReason({ image: true, pool: true }) ??
  (run(python, ['-c', 'import pylxd']).status === 0
    ? undefined
    : 'python3-pylxd is not installed (scripts/install-deps.sh installs it)')
const name = `crlpy${process.pid}`
let session: LxcSession

// The whole pylxd session: create from an image, start, execute, stop, delete; prints JSON facts.
const script = `
import json, warnings
warnings.simplefilter("ignore")
import pylxd
c = pylxd.Client()
out = {"trusted": c.trusted}
ct = c.containers.create({"name": "${name}", "source": {"type": "image", "alias": "busybox"}}, wait=True)
out["created_status"] = c.containers.get("${name}").status
ct.start(wait=True)
out["started_status"] = c.containers.get("${name}").status
r = ct.execute(["sh", "-c", "echo out; echo err >&2; exit 3"])
out["exec"] = [r.exit_code, r.stdout, r.stderr]
out["listed"] = [x.name for x in c.containers.all()]
ct.stop(force=True, wait=True)
out["stopped_status"] = c.containers.get("${name}").status
ct.delete(wait=True)
out["exists_after_delete"] = c.containers.exists("${name}")
print(json.dumps(out))
`

before(async () => {
  if (!skip) session = await startLxcSession('corral-pylxd', { image: true, pool: true })
})

after(async () => {
  if (!skip) await session.close([name])
})

test('pylxd creates from an image, starts, executes, stops and deletes a container', { skip }, () => {
  const r = run(python, ['-c', script], { env: session.env() })
  assert.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout) as Record<string, unknown>
  assert.deepEqual(out, {
    trusted: true,
    created_status: 'Stopped',
    started_status: 'Running',
    exec: [3, 'out\n', 'err\n'],
    listed: [name],
    stopped_status: 'Stopped',
    exists_after_delete: false,
  })
})

test(
  'pylxd over https: untrusted at first, authenticate(token), then trusted and lists profiles',
  { skip },
  async () => {
    const port = await freePort()
    session.must(['config', 'set', 'core.https_address', `127.0.0.1:${port}`])
    const dir = mkdtempSync('/tmp/corral-pylxd-tls-')
    try {
      const { cert: crt, key } = makeClientCert(dir, 'pylxd')
      const lines = session.must(['config', 'trust', 'add', '--name', 'pylxd']).trim().split('\n')
      const token = lines[lines.length - 1]!
      const remote = `
import json, warnings
warnings.simplefilter("ignore")
import pylxd
c = pylxd.Client(endpoint="https://127.0.0.1:${port}", cert=(${JSON.stringify(crt)}, ${JSON.stringify(key)}), verify=False)
out = {"before": c.trusted}
c.authenticate(${JSON.stringify(token)})
out["after"] = c.trusted
out["profiles"] = [p.name for p in c.profiles.all()]
print(json.dumps(out))
`
      // requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override verify=False; a user's shell may set them.
      const env = { ...session.env(), REQUESTS_CA_BUNDLE: '', CURL_CA_BUNDLE: '' }
      const r = run(python, ['-c', remote], { env })
      assert.equal(r.status, 0, r.stderr)
      assert.deepEqual(JSON.parse(r.stdout), { before: false, after: true, profiles: ['default'] })
      assert.match(session.must(['config', 'trust', 'list', '--format', 'csv']), /^client,pylxd,/m)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
)
