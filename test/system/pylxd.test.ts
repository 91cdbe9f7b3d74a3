/** @module System tier: pylxd (Debian's python3-pylxd 2.2) drives corrald unchanged. */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import {
  cleanup,
  makeStateDir,
  repoRoot,
  rootSkipReason,
  run,
  startCorrald,
  type Corrald,
} from '../helpers/corrald.js'

const python = '/usr/bin/python3'
const skip =
  rootSkipReason() ??
  (run(python, ['-c', 'import pylxd']).status === 0
    ? undefined
    : 'python3-pylxd is not installed (scripts/install-deps.sh installs it)') ??
  (existsSync('/bin/busybox') ? undefined : 'busybox-static is not installed')
const name = `crlpy${process.pid}`
let dir = ''
let home = ''
let images = ''
let daemon: Corrald | undefined

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
  if (skip) return
  dir = makeStateDir('corral-pylxd')
  home = mkdtempSync('/tmp/corral-pylxd-home-')
  images = mkdtempSync('/tmp/corral-pylxd-img-')
  assert.equal(run('bash', [join(repoRoot, 'scripts/build-busybox-image.sh'), images]).status, 0)
  daemon = await startCorrald(dir)
  const env = { ...process.env, LXD_DIR: dir, HOME: home }
  for (const args of [
    ['storage', 'create', 'default', 'dir'],
    ['profile', 'device', 'add', 'default', 'root', 'disk', 'path=/', 'pool=default'],
    ['image', 'import', join(images, 'busybox.tar.xz'), '--alias', 'busybox'],
  ]) {
    const r = run('lxc', args, { env })
    assert.equal(r.status, 0, r.stderr)
  }
})

after(async () => {
  if (skip) return
  run('lxc-stop', ['-k', '-n', name, '-P', join(dir, 'containers')])
  await cleanup(daemon, dir)
  rmSync(home, { recursive: true, force: true })
  rmSync(images, { recursive: true, force: true })
})

test('pylxd creates from an image, starts, executes, stops and deletes a container', { skip }, () => {
  const r = run(python, ['-c', script], { env: { ...process.env, LXD_DIR: dir, HOME: home } })
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
