/** @module System tier: `lxc pause` freezes a container's processes (cgroup v1 freezer here), `lxc start` thaws them. */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, test } from 'node:test'
import { cgroupPrefix, corralBin, run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true, pool: true })
if (skip) console.log(`# skipping pause system tests: ${skip}`)
const name = `crl${process.pid % 10_000}pz`
let s: LxcSession

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-pause', { image: true, pool: true })
  s.must(['launch', 'busybox', name])
})

after(async () => {
  if (skip || !s) return
  s.lxc(['delete', name, '--force'])
  await s.close([name])
})

/** The counter the container writes, read on the host from its rootfs (this works while it is frozen). */
function count(): number {
  const file = join(s.dir, 'storage-pools', 'default', 'containers', name, 'rootfs', 'root', 'count')
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim() || 0) : 0
}

const status = () => s.must(['list', name, '--format', 'csv', '-c', 's']).trim()
const freezerFile = () =>
  join('/sys/fs/cgroup/freezer', `${cgroupPrefix(s.dir)}.payload.${name}`, 'freezer.state')

test('a process counting in a file stops while FROZEN and resumes after lxc start', { skip }, async () => {
  s.must([
    'exec',
    name,
    '--',
    'sh',
    '-c',
    'sh -c "i=0; while true; do i=\\$((i+1)); echo \\$i > /root/count.new; mv /root/count.new /root/count; sleep 0.1; done" </dev/null >/dev/null 2>&1 &',
  ])
  await sleep(800)
  const c1 = count()
  await sleep(600)
  assert.ok(count() > c1 && c1 > 0, `the counter runs (${c1})`)

  s.must(['pause', name])
  assert.equal(status(), 'FROZEN')
  assert.match(s.must(['info', name]), /^Status: FROZEN$/m)
  if (existsSync(freezerFile())) assert.equal(readFileSync(freezerFile(), 'utf8').trim(), 'FROZEN')
  const frozenAt = count()
  await sleep(1500)
  assert.equal(count(), frozenAt, 'no step while frozen')

  const again = s.lxc(['pause', name])
  assert.notEqual(again.status, 0)
  assert.match(again.stderr, /already frozen/)
  const exec = s.lxc(['exec', name, '--', 'true'])
  assert.notEqual(exec.status, 0)
  assert.match(exec.stderr, /Instance is frozen/)

  s.must(['start', name])
  assert.equal(status(), 'RUNNING')
  if (existsSync(freezerFile())) assert.equal(readFileSync(freezerFile(), 'utf8').trim(), 'THAWED')
  await sleep(800)
  assert.ok(
    count() > frozenAt,
    `the counter runs again (${frozenAt} ${count()}) ${s.lxc(['exec', name, '--', 'ps']).stdout}`,
  )
})

test('a frozen container stops (thawed first), and a stopped one cannot be paused', { skip }, () => {
  s.must(['pause', name])
  assert.equal(status(), 'FROZEN')
  s.must(['stop', name, '--force'])
  assert.equal(status(), 'STOPPED')
  const r = s.lxc(['pause', name])
  assert.notEqual(r.status, 0)
  assert.match(r.stderr, /isn't running/)
  const raw = s.lxc(['query', '-X', 'PUT', `/1.0/instances/${name}/state`, '--data', '{"action":"unfreeze"}'])
  assert.notEqual(raw.status, 0)
  assert.match(raw.stderr, /isn't running/)
})

test('corral pause and corral start do the same through the corral CLI', { skip }, () => {
  s.must(['start', name])
  const env = { ...s.env(), CORRAL_DIR: s.dir, CORRAL_CONF: join(s.home, 'corral-client') }
  const corral = (args: string[]) => run(corralBin, args, { env })
  const paused = corral(['pause', name])
  assert.equal(paused.status, 0, paused.stderr)
  assert.equal(status(), 'FROZEN')
  const started = corral(['start', name])
  assert.equal(started.status, 0, started.stderr)
  assert.equal(status(), 'RUNNING')
})

test('pylxd freezes and unfreezes the instance (its status follows)', { skip }, () => {
  if (run('/usr/bin/python3', ['-c', 'import pylxd']).status !== 0) {
    console.log('# skipping the pylxd pause check: python3-pylxd is not installed')
    return
  }
  const script = [
    'import pylxd, sys',
    'c = pylxd.Client()',
    `i = c.containers.get(${JSON.stringify(name)})`,
    'i.freeze(wait=True)',
    'i.sync()',
    'a = i.status',
    'i.unfreeze(wait=True)',
    'i.sync()',
    'print(a, i.status)',
  ].join('\n')
  const r = run('/usr/bin/python3', ['-c', script], { env: s.env() })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout.trim(), 'Frozen Running')
})
