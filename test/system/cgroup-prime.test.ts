/**
 * @module System tier: the no-op cgroup migration started before exec and start helpers
 * (host/cgroup-prime.ts) changes nothing: the daemon stays in the cgroups it was in, in every
 * hierarchy, and the helpers still put the container's processes in the container's cgroups.
 * And a container's cgroups that a daemon of another session left at a hierarchy's root (not
 * below this daemon's own cgroup) do not stop the next start.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cgroupPrefix } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true, pool: true })
if (skip) console.log(`# skipped: ${skip}`)
const name = `cp${process.pid % 100000}`
let s: LxcSession

before(async () => {
  if (skip) return
  s = await startLxcSession(name, { image: true, pool: true })
})
after(async () => {
  if (!skip) await s.close([name])
})

const cgroupsOf = (pid: number | string) => readFileSync(`/proc/${pid}/cgroup`, 'utf8')

test('exec and start leave the daemon in its own cgroups and the container in its own', { skip }, () => {
  const daemon = s.daemon().proc.pid!
  const before = cgroupsOf(daemon)
  s.must(['launch', 'busybox', name])
  for (let i = 0; i < 3; i++) {
    // The command runs in the container's cgroup: the root of its cgroup namespace (a process
    // left outside would see a path leading up and out of it).
    const inside = s.must(['exec', name, '--', 'cat', '/proc/self/cgroup'])
    assert.match(inside, /^\d+:pids:\/$/m, 'the exec runs in the container cgroup')
    assert.doesNotMatch(inside, /\.\./)
  }
  const init = /PID:\s*(\d+)/.exec(s.must(['info', name]))![1]!
  assert.match(cgroupsOf(init), /pids:\/.*payload/, 'the init is in the payload cgroup')
  s.must(['restart', name, '--force'])
  assert.equal(s.must(['exec', name, '--', 'echo', 'up']), 'up\n')
  assert.equal(cgroupsOf(daemon), before, 'the daemon was not moved')
  s.must(['delete', name, '--force'])
})

test(
  "empty cgroups a killed session left at the hierarchies' root do not stop the next start",
  { skip },
  () => {
    const stale = `${name}s`
    s.must(['init', 'busybox', stale])
    // As a session's end leaves them: the container's processes gone, its cgroups in place at the
    // root of every v1 hierarchy (where LXC as root puts them), whatever this daemon's own cgroup.
    const made: string[] = []
    for (const h of readdirSync('/sys/fs/cgroup')) {
      const dir = join('/sys/fs/cgroup', h)
      if (h === 'unified' || !existsSync(join(dir, 'cgroup.procs'))) continue
      for (const kind of ['monitor', 'payload']) {
        const cg = join(dir, `${cgroupPrefix(s.dir)}.${kind}.${stale}`)
        mkdirSync(cg)
        made.push(cg)
      }
    }
    assert.ok(made.length > 0)
    s.must(['start', stale])
    assert.equal(s.must(['exec', stale, '--', 'echo', 'up']), 'up\n')
    s.must(['delete', '--force', stale])
    for (const cg of made) assert.ok(!existsSync(cg), `${cg} is gone after the delete`)
  },
)
