/** @module System tier: pylxd (Debian's python3-pylxd 2.2) copies a container and publishes it and its snapshot, unchanged. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { pylxdSkipReason } from '../helpers/setup.js'

const python = '/usr/bin/python3'
const skip = sessionSkipReason({ image: true, pool: true }) ?? pylxdSkipReason()
if (skip) console.log(`# skipping pylxd copy/publish tests: ${skip}`)
const tag = process.pid % 100000
const [src, copy] = [`pys${tag}`, `pyc${tag}`]
let session: LxcSession

// pylxd's own calls: a copy is a create with source type "copy"; publish posts an instance or snapshot source.
const script = `
import json, warnings
warnings.simplefilter("ignore")
import pylxd
from pylxd.exceptions import LXDAPIException
c = pylxd.Client()
out = {}
ct = c.containers.create({"name": "${src}", "source": {"type": "image", "alias": "busybox"}}, wait=True)
ct.snapshots.create("p1", wait=True)
cp = c.containers.create({"name": "${copy}", "source": {"type": "copy", "source": "${src}"}}, wait=True)
out["copy_snapshots"] = [s.name for s in c.containers.get("${copy}").snapshots.all()]
img = ct.publish(public=True, wait=True)
out["image_public"] = img.public
out["image_os"] = img.properties.get("os")
snapimg = ct.snapshots.get("p1").publish(wait=True)
out["snapshot_image"] = len(snapimg.fingerprint)
ct.start(wait=True)
try:
    ct.publish(wait=True)
    out["running_publish"] = "accepted"
except LXDAPIException as e:
    out["running_publish"] = str(e)
ct.stop(force=True, wait=True)
for x in (cp, ct):
    x.delete(wait=True)
for i in (img, snapimg):
    i.delete(wait=True)
print(json.dumps(out))
`

before(async () => {
  if (!skip) session = await startLxcSession('corral-pylxd-cp', { image: true, pool: true })
})

after(async () => {
  if (!skip) {
    for (const n of [src, copy]) session.lxc(['delete', '--force', n])
    await session.close([src, copy])
  }
})

test(
  'pylxd copies a container with its snapshot and publishes it and the snapshot; a running one is refused',
  { skip },
  () => {
    const r = run(python, ['-c', script], { env: session.env() })
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), {
      copy_snapshots: ['p1'],
      image_public: true,
      image_os: 'busybox',
      snapshot_image: 64,
      running_publish: 'Cannot export a running instance as an image',
    })
  },
)
