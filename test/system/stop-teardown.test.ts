/**
 * @module System tier: what a stop, a forced delete and a restart leave behind, checked on the
 * host after the stock client returns: no process of the container (its cgroups empty and
 * removed in every hierarchy), no mount of its rootfs, no veth, no NIC filter rule, and after a
 * delete no directory. A clean stop of a container that ignores its halt signal waits the
 * timeout and is then forced, leaving the same nothing.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { addTestBridge } from '../helpers/setup.js'

const skip = sessionSkipReason({ image: true, pool: true })
const tag = process.pid % 100000
const bridge = `crst${tag}`
const [forced, deleted, restarted, deaf] = [`stf${tag}`, `std${tag}`, `str${tag}`, `sts${tag}`]
let s: LxcSession
let prefix = ''

/** Every cgroup directory of the container (monitor and payload) in every hierarchy. */
function cgroupDirs(name: string): string[] {
  const found: string[] = []
  const visit = (dir: string, depth: number): void => {
    let entries: string[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
    } catch {
      return
    }
    for (const e of entries) {
      if (e === `${prefix}.monitor.${name}` || e === `${prefix}.payload.${name}`) found.push(join(dir, e))
      else if (depth < 2) visit(join(dir, e), depth + 1)
    }
  }
  visit('/sys/fs/cgroup', 0)
  return found
}

/** The pids in the container's payload cgroup (pids hierarchy, else the unified one). */
function payloadPids(name: string): number[] {
  const dir = cgroupDirs(name).find((d) => d.includes('.payload.') && existsSync(join(d, 'cgroup.procs')))
  assert.ok(dir, `the payload cgroup of ${name} exists while it runs`)
  return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number)
}

const hostLinks = (): string[] =>
  run('ip', ['-o', 'link', 'show'])
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\d+: /, '').split(/[@:]/)[0]!)

/** The interface indexes of the host's links. */
const linkIndexes = (): string[] =>
  run('ip', ['-o', 'link', 'show'])
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => l.split(':')[0]!)

/** The NIC filter rules of this daemon's nftables table (empty when it has none). */
const filterRules = (): string => {
  const r = run('nft', ['list', 'table', 'bridge', `corral_${prefix.slice('corral-'.length)}`])
  return r.status === 0 ? r.stdout : ''
}

/** The host's mount table lines that name the instance (its rootfs or volume). */
const mountsOf = (name: string): string[] =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(s.dir) && l.includes(`/${name}`))

/** What a running container has on the host, read before it is stopped. */
interface Footprint {
  pids: number[]
  veth: string
  vethIndex: string
  startTimes: Map<number, string>
}

/** The process start time (field 22 of /proc/PID/stat), so a reused pid is not taken for ours. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

/** Starts extra processes in the container and records its host footprint. */
function footprint(name: string): Footprint {
  // Two background processes besides init, so "no process survives" means more than the init.
  s.must([
    'exec',
    name,
    '--',
    'sh',
    '-c',
    'sleep 100000 </dev/null >/dev/null 2>&1 & sleep 100001 </dev/null >/dev/null 2>&1 &',
  ])
  const pids = payloadPids(name)
  assert.ok(pids.length >= 3, `init and two sleeps run in ${name}: ${pids.join(' ')}`)
  const veth = s.must(['config', 'get', name, 'volatile.eth0.host_name']).trim()
  assert.ok(hostLinks().includes(veth), `the veth ${veth} exists while it runs`)
  assert.ok(filterRules().includes(veth), `the NIC filter of ${veth} exists while it runs`)
  const vethIndex = run('ip', ['-o', 'link', 'show', 'dev', veth]).stdout.split(':')[0]!
  return { pids, veth, vethIndex, startTimes: new Map(pids.map((p) => [p, startTime(p) ?? ''])) }
}

/** Asserts that nothing of the stopped container is left on the host. */
function assertGone(name: string, before: Footprint): void {
  for (const pid of before.pids)
    assert.notEqual(startTime(pid), before.startTimes.get(pid), `process ${pid} of ${name} is gone`)
  assert.deepEqual(cgroupDirs(name), [], `no cgroup of ${name} is left`)
  assert.ok(!hostLinks().includes(before.veth), `the veth ${before.veth} is gone`)
  assert.ok(!filterRules().includes(before.veth), `no filter rule of ${before.veth} is left`)
  assert.deepEqual(mountsOf(name), [], `no mount of ${name} is left`)
}

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-stoptd', { image: true, pool: true })
  prefix = `corral-${createHash('sha256').update(s.dir).digest('hex').slice(0, 8)}`
  addTestBridge(s.must, bridge, 30 + (tag % 200))
  // A filtered NIC: its nftables rules are part of what a stop must take away.
  s.must(['profile', 'device', 'set', 'default', 'eth0', 'security.mac_filtering=true'])
})

after(async () => {
  if (!skip) await s?.close([forced, deleted, restarted, deaf])
})

test('lxc stop --force leaves no process, cgroup, mount, veth or filter rule', { skip }, () => {
  s.must(['launch', 'busybox', forced])
  const fp = footprint(forced)
  s.must(['stop', forced, '--force'])
  assertGone(forced, fp)
  assert.match(s.must(['list', forced, '--format', 'csv', '-c', 's']), /^STOPPED/)
  // And it starts again at once (LXC's monitor of the killed container has exited).
  s.must(['start', forced])
  assert.match(s.must(['list', forced, '--format', 'csv', '-c', 's']), /^RUNNING/)
  s.must(['stop', forced, '--force'])
  s.must(['delete', forced])
})

test('lxc delete --force of a running instance leaves nothing, directories included', { skip }, () => {
  s.must(['launch', 'busybox', deleted])
  const fp = footprint(deleted)
  s.must(['delete', deleted, '--force'])
  assertGone(deleted, fp)
  for (const dir of [
    join(s.dir, 'containers', deleted),
    join(s.dir, 'logs', deleted),
    join(s.dir, 'storage-pools', 'default', 'containers', deleted),
  ])
    assert.equal(existsSync(dir), false, `${dir} is removed`)
  assert.equal(s.lxc(['info', deleted]).status, 1, 'the instance is gone')
})

test('lxc restart --force replaces every process; the old ones and their veth are gone', { skip }, () => {
  s.must(['launch', 'busybox', restarted])
  const fp = footprint(restarted)
  s.must(['restart', restarted, '--force'])
  for (const pid of fp.pids)
    assert.notEqual(startTime(pid), fp.startTimes.get(pid), `old process ${pid} is gone`)
  // The new start may take the same host name: the old link is gone when its index is.
  assert.ok(!linkIndexes().includes(fp.vethIndex), `the old veth ${fp.veth} (${fp.vethIndex}) is gone`)
  const now = payloadPids(restarted)
  assert.ok(now.length >= 1 && !now.some((p) => fp.pids.includes(p) && startTime(p) === fp.startTimes.get(p)))
  s.must(['stop', restarted, '--force'])
  s.must(['delete', restarted])
})

test(
  'a clean stop of a container that ignores its halt signal times out, is forced, leaves nothing',
  { skip },
  () => {
    s.must(['init', 'busybox', deaf, '-c', 'raw.lxc=lxc.init.cmd = /bin/sleep 100000'])
    s.must(['start', deaf])
    const fp = footprint(deaf)
    const started = Date.now()
    const r = s.lxc(['stop', deaf, '--timeout', '2'])
    const ms = Date.now() - started
    assert.equal(r.status, 0, r.stderr)
    // Behaviour, not speed: the stop waited the timeout before the kill.
    assert.ok(ms >= 2000, `the clean stop waited its timeout (${ms} ms)`)
    assertGone(deaf, fp)
    s.must(['delete', deaf])
  },
)
