/**
 * @module System tier: what a start changes on the host is recorded before it is made and undone
 * from that record: after a start that fails once the NICs exist, after a daemon killed in the
 * middle of a start, and at stop after the profile was edited to name something else.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { run, startCorrald } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { addTestBridge } from '../helpers/setup.js'

const skip = sessionSkipReason({ image: true, pool: true })
const tag = process.pid % 100000
const bridge = `crhc${tag}`
const [failing, killed, edited] = [`hcf${tag}`, `hck${tag}`, `hce${tag}`]
let s: LxcSession

/**
 * The veth links on this test's own bridge (the host's whole list would see other test runs'
 * links come and go), and the cgroups of this daemon.
 */
function hostLinks(): string[] {
  return run('ip', ['-o', 'link', 'show', 'master', bridge, 'type', 'veth'])
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\d+: /, '').split(/[@:]/)[0]!)
    .sort()
}

function ownCgroups(): string[] {
  const prefix = run('sh', ['-c', `printf %s "${s.dir}" | sha256sum`]).stdout.slice(0, 8)
  return readdirSync('/sys/fs/cgroup/pids').filter((e) => e.startsWith(`corral-${prefix}.`))
}

const hostName = (name: string) => s.must(['config', 'get', name, 'volatile.eth0.host_name']).trim()

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-hostchg', { image: true, pool: true })
  addTestBridge(s.must, bridge, 20 + (tag % 200))
})

after(async () => {
  if (!skip) await s?.close([failing, killed, edited])
})

test('a start that fails after its NIC was set up leaves no veth and no cgroup', { skip }, () => {
  const links = hostLinks()
  // LXC runs the hook after the NICs exist, and its failure fails the start.
  s.must(['init', 'busybox', failing, '-c', 'raw.lxc=lxc.hook.pre-start = /bin/false'])
  const r = s.lxc(['start', failing])
  assert.notEqual(r.status, 0)
  assert.deepEqual(hostLinks(), links)
  assert.deepEqual(ownCgroups(), [])
  assert.equal(existsSync(join(s.dir, 'containers', failing, 'applied.json')), false)
  s.must(['delete', failing])
})

test(
  'a daemon killed in the middle of a start: the restarted one undoes what the start had made',
  { skip },
  async () => {
    const links = hostLinks()
    s.must(['init', 'busybox', killed, '-c', 'raw.lxc=lxc.hook.pre-start = /bin/sh -c "sleep 3; exit 1"'])
    const start = run('sh', ['-c', `lxc start ${killed} >/dev/null 2>&1 &`], { env: s.env() })
    assert.equal(start.status, 0)
    // Wait until the veth exists (the start is inside LXC's hook), then kill the daemon.
    let veth = ''
    for (let i = 0; i < 100 && !veth; i++) {
      await new Promise((r) => setTimeout(r, 50))
      veth = hostLinks().find((l) => !links.includes(l)) ?? ''
    }
    assert.ok(veth, 'the start created a veth')
    await s.daemon().kill()
    // LXC's start fails on its own after the daemon is gone; the veth stays until someone undoes it.
    await new Promise((r) => setTimeout(r, 3500))
    assert.ok(hostLinks().includes(veth), 'nothing undid the veth while the daemon was down')
    s.setDaemon(await startCorrald(s.dir))
    assert.deepEqual(hostLinks(), links, 'the restarted daemon undid it from the record')
    s.must(['delete', killed])
  },
)

test('stop undoes what the start made, whatever the profile says since', { skip }, () => {
  s.must(['launch', 'busybox', edited])
  const veth = hostName(edited)
  assert.ok(hostLinks().includes(veth))
  // The NIC now names the bridge as its host end; stop must not take the bridge with it.
  s.must(['profile', 'device', 'set', 'default', 'eth0', `host_name=${bridge}`])
  s.must(['stop', edited, '--force'])
  assert.ok(existsSync(`/sys/class/net/${bridge}`), 'the bridge is still there')
  assert.equal(hostLinks().includes(veth), false, 'the veth the start made is gone')
  s.must(['profile', 'device', 'unset', 'default', 'eth0', 'host_name'])
  s.must(['delete', edited])
})
