/** @module System tier: pylxd 2.2 (Debian's python3-pylxd) manages custom volumes and reads pool resources unchanged. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { pylxdSkipReason } from '../helpers/setup.js'

const python = '/usr/bin/python3'
const skip = sessionSkipReason({ pool: true }) ?? pylxdSkipReason()
if (skip) console.log(`# skipping pylxd volume tests: ${skip}`)
let s: LxcSession

// Create, list, get, update, delete a custom volume and read the pool's resources; prints JSON facts.
const script = `
import json, warnings
warnings.simplefilter("ignore")
import pylxd
c = pylxd.Client()
p = c.storage_pools.get("default")
p.volumes.create({"name": "pyv1", "type": "custom", "config": {"user.a": "b"}})
out = {"listed": [x.name for x in p.volumes.all() if x.type == "custom"]}
g = p.volumes.get("custom", "pyv1")
out["config"] = dict(g.config)
g.config["user.c"] = "d"
g.save()
out["saved"] = dict(p.volumes.get("custom", "pyv1").config)
g.delete()
out["after"] = [x.name for x in p.volumes.all() if x.type == "custom"]
r = p.resources.get()
out["space"] = r.space["total"] > 0 and r.space["used"] > 0
print(json.dumps(out))
`

before(async () => {
  if (!skip) s = await startLxcSession('corral-pylxdvol', { pool: true })
})

after(async () => {
  if (!skip && s) {
    s.lxc(['storage', 'volume', 'delete', 'default', 'pyv1'])
    await s.close()
  }
})

test('pylxd creates, lists, updates and deletes a custom volume and reads pool resources', { skip }, () => {
  const r = run(python, ['-c', script], { env: s.env() })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout), {
    listed: ['pyv1'],
    config: { 'user.a': 'b' },
    saved: { 'user.a': 'b', 'user.c': 'd' },
    after: [],
    space: true,
  })
  assert.doesNotMatch(s.must(['storage', 'volume', 'list', 'default', '--format', 'csv']), /pyv1/)
})
