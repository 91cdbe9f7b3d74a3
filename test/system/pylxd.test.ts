/** @module System tier: pylxd (Debian's python3-pylxd 2.2) drives corrald unchanged. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { run } from '../helpers/corrald.js'
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
