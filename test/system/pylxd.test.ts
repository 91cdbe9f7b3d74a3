/** @module System tier: pylxd (Debian's python3-pylxd 2.2) drives corrald unchanged. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { join } from 'node:path'
import { makeClientCert } from '../helpers/certs.js'
import { freePort, repoRoot, run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { pylxdSkipReason } from '../helpers/setup.js'

const python = '/usr/bin/python3'
const skip = sessionSkipReason({ image: true, pool: true }) ?? pylxdSkipReason()
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

/**
 * The pylxd journey with its own busybox builder (test/fixtures/pylxd_busybox.py lays the image
 * out as pylxd's integration helper does): images.create, launch, execute, delete both. Prints
 * JSON facts and every warning pylxd raised.
 */
const journey = (clientExpr: string, auth: string, ct: string) => `
import hashlib, json, sys, warnings
sys.path.insert(0, ${JSON.stringify(join(repoRoot, 'test/fixtures'))})
import pylxd_busybox
import pylxd
seen = []
warnings.simplefilter("always")
# Only pylxd's own parse warnings: urllib3, ssl and ResourceWarnings are the libraries', not the server's.
warnings.showwarning = lambda message, *a, **k: seen.append(str(message)) if "unknown attribute" in str(message) else None
c = ${clientExpr}
out = {"before": c.trusted}
${auth}
out["after"] = c.trusted
data = pylxd_busybox.build(tag="${ct}")
image = c.images.create(data, wait=True)
out["fingerprint_ok"] = image.fingerprint == hashlib.sha256(data).hexdigest()
image = c.images.get(image.fingerprint)
out["os"] = image.properties.get("os")
ct = c.containers.create({"name": "${ct}", "source": {"type": "image", "fingerprint": image.fingerprint}}, wait=True)
ct.start(wait=True)
out["status"] = c.containers.get("${ct}").status
r = ct.execute(["sh", "-c", "cat /etc/inittab; ls /bin/busybox; id -u"])
out["exec"] = [r.exit_code, r.stdout]
ct.stop(force=True, wait=True)
ct.delete(wait=True)
image.delete(wait=True)
out["gone"] = [c.containers.exists("${ct}"), any(i.fingerprint == image.fingerprint for i in c.images.all())]
out["warnings"] = sorted(set(seen))
print(json.dumps(out))
`

/**
 * pylxd 2.2.10 predates LXD 5.0.2: it warns about fields 5.0.2 itself serves (the reference run
 * in shared/reference/lxd-observed/pylxd_output.txt shows the "location" one). corrald serves
 * 5.0.2's shape, so these and no others: a field of our own (an operation's `requestor`, say)
 * would add a line here.
 */
const lxd502Fields = (tls: boolean) => [
  'Attempted to set unknown attribute "location" on instance of "Operation"',
  'Attempted to set unknown attribute "profiles" on instance of "Image"',
  'Attempted to set unknown attribute "project" on instance of "Container"',
  ...(tls
    ? [
        'Attempted to set unknown attribute "projects" on instance of "Certificate"',
        'Attempted to set unknown attribute "restricted" on instance of "Certificate"',
      ]
    : []),
  'Attempted to set unknown attribute "type" on instance of "Container"',
  'Attempted to set unknown attribute "type" on instance of "Image"',
]

/** What the journey prints when every step held: trusted `before` or not, over TLS or the socket. */
const journeyHeld = (before: boolean, tls: boolean) => ({
  before,
  after: true,
  fingerprint_ok: true,
  os: 'Busybox',
  status: 'Running',
  exec: [0, '\n/bin/busybox\n0\n'],
  gone: [false, false],
  warnings: lxd502Fields(tls),
})

test(
  'pylxd builds its busybox image, creates it, launches, executes in and deletes both over the socket',
  { skip },
  () => {
    const r = run(python, ['-c', journey('pylxd.Client()', '', `crlpy${process.pid}u`)], {
      env: session.env(),
    })
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), journeyHeld(true, false))
  },
)

test(
  'pylxd over TLS: authenticate(core.trust_password), then the same journey; a wrong password stays untrusted',
  { skip },
  async () => {
    const port = await freePort()
    session.must(['config', 'set', 'core.https_address', `127.0.0.1:${port}`])
    session.must(['config', 'set', 'core.trust_password', 'pylxd-pass-1'])
    const dir = mkdtempSync('/tmp/corral-pylxd-pw-')
    try {
      const { cert: crt, key } = makeClientCert(dir, 'pylxdpw')
      const client = `pylxd.Client(endpoint="https://127.0.0.1:${port}", cert=(${JSON.stringify(crt)}, ${JSON.stringify(key)}), verify=False)`
      const env = { ...session.env(), REQUESTS_CA_BUNDLE: '', CURL_CA_BUNDLE: '' }
      const wrong = run(
        python,
        [
          '-c',
          `import pylxd, warnings\nwarnings.simplefilter("ignore")\nc = ${client}\ntry:\n    c.authenticate("nope")\nexcept Exception as e:\n    print(type(e).__name__)\nprint(c.trusted)`,
        ],
        { env },
      )
      assert.equal(wrong.status, 0, wrong.stderr)
      assert.equal(wrong.stdout, 'LXDAPIException\nFalse\n')
      const r = run(
        python,
        ['-c', journey(client, 'c.authenticate("pylxd-pass-1")', `crlpy${process.pid}t`)],
        { env },
      )
      assert.equal(r.status, 0, r.stderr)
      assert.deepEqual(JSON.parse(r.stdout), journeyHeld(false, true))
      assert.match(session.must(['config', 'trust', 'list', '--format', 'csv']), /^client,pylxdpw,/m)
    } finally {
      session.lxc(['config', 'unset', 'core.trust_password'])
      rmSync(dir, { recursive: true, force: true })
    }
  },
)
