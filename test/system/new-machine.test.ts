/**
 * @module System tier: a new machine's /etc/subuid and /etc/subgid give root nothing. corrald
 * refuses unprivileged containers with the line to add and leaves nothing behind; the install
 * step gives root LXD's range; a container then runs mapped to it. The files are saved first and
 * restored afterwards, whatever happens.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { repoRoot, run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { addTestBridge } from '../helpers/setup.js'

const skip =
  sessionSkipReason({ image: true, pool: true }) ??
  (process.env.CORRAL_TEST_SHARED_HOST
    ? 'CORRAL_TEST_SHARED_HOST is set: another test run shares this host, and /etc/subuid must not change under it'
    : undefined)
if (skip) console.log(`# skipping the new-machine tests: ${skip}`)
const files = ['/etc/subuid', '/etc/subgid'] as const
const saved = new Map<string, string | undefined>()
const tag = process.pid % 100000
const [refused, privileged, mapped] = [`nmr${tag}`, `nmp${tag}`, `nmu${tag}`]
const bridge = `crnm${tag}`
let s: LxcSession

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '')
const rootLines = (file: string) =>
  read(file)
    .split('\n')
    .filter((l) => /^(root|0):/.test(l))
const withoutRoot = (file: string) =>
  read(file)
    .split('\n')
    .filter((l) => l && !/^(root|0):/.test(l))
    .map((l) => `${l}\n`)
    .join('')

/** What a failed create could leave on the host: links, this daemon's cgroups, its container dirs. */
function hostSnapshot(): string {
  const links = run('ip', ['-o', 'link', 'show'])
    .stdout.replace(/^\d+: /gm, '')
    .split('\n')
    .map((l) => l.split(':')[0])
  const cgroups = readdirSync('/sys/fs/cgroup').flatMap((h) => {
    try {
      return readdirSync(join('/sys/fs/cgroup', h))
        .filter((e) => e.startsWith('corral-'))
        .map((e) => `${h}/${e}`)
    } catch {
      return []
    }
  })
  const dirs = ['containers', 'storage-pools/default/containers'].flatMap((d) =>
    existsSync(join(s.dir, d)) ? readdirSync(join(s.dir, d)).map((e) => `${d}/${e}`) : [],
  )
  const mounts = run('findmnt', ['-rn', '-o', 'TARGET'])
    .stdout.split('\n')
    .filter((m) => m.startsWith(s.dir))
  const rules = run('nft', ['list', 'ruleset']).stdout
  return JSON.stringify({ links: links.sort(), cgroups: cgroups.sort(), dirs: dirs.sort(), mounts, rules })
}

/** The daemon's log file (read synchronously: its stderr pipe is not read while spawnSync blocks). */
const daemonLog = () => read(join(s.dir, 'logs', 'corrald.log'))

function initMap(name: string, file: 'uid_map' | 'gid_map'): number[] {
  const state = JSON.parse(s.must(['query', `/1.0/instances/${name}/state`])) as { pid: number }
  return readFileSync(`/proc/${state.pid}/${file}`, 'utf8').trim().split(/\s+/).map(Number)
}

before(async () => {
  if (skip) return
  for (const f of files) saved.set(f, existsSync(f) ? readFileSync(f, 'utf8') : undefined)
  for (const f of files) writeFileSync(f, withoutRoot(f))
  s = await startLxcSession('corral-newmachine', { image: true, pool: true })
  // A NIC on a managed bridge, so a start that got as far as the network would leave a veth.
  addTestBridge(s.must, bridge, 20 + (tag % 200))
})

after(async () => {
  try {
    if (!skip) await s?.close([refused, privileged, mapped])
  } finally {
    for (const [f, text] of saved) if (text !== undefined) writeFileSync(f, text)
  }
})

test(
  'without a range for root, an unprivileged launch is refused with the line to add, and nothing is left',
  { skip },
  () => {
    assert.match(daemonLog(), /Unprivileged containers cannot start: root id range refused/)
    const before = hostSnapshot()
    const r = s.lxc(['launch', 'busybox', refused])
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /Unprivileged containers cannot start on this host: .*newuidmap/)
    assert.match(r.stderr, /Add the line "root:1000000:1000000000" to \/etc\/subuid/)
    assert.equal(s.must(['list', '--format', 'csv']), '')
    assert.deepEqual(JSON.parse(s.must(['query', '/1.0/instances'])), [])
    assert.equal(hostSnapshot(), before, 'no link, cgroup or directory was made')
  },
)

test('a privileged container still starts where allowed', { skip }, () => {
  s.must(['launch', 'busybox', privileged, '-c', 'security.privileged=true'])
  assert.deepEqual(initMap(privileged, 'uid_map'), [0, 0, 4294967295])
  s.must(['delete', privileged, '--force'])
})

test("the install step gives root LXD's range once, and a launch then runs mapped to it", { skip }, () => {
  const step = run('bash', [join(repoRoot, 'scripts/ensure-root-subids.sh')])
  assert.equal(step.status, 0, step.stderr)
  assert.deepEqual(rootLines('/etc/subuid'), ['root:1000000:1000000000'])
  assert.deepEqual(rootLines('/etc/subgid'), ['root:1000000:1000000000'])
  const once = files.map(read)
  assert.equal(run('bash', [join(repoRoot, 'scripts/ensure-root-subids.sh')]).status, 0)
  assert.deepEqual(files.map(read), once, 'a second run changes nothing')
  // The daemon probes again when the files change: no restart needed.
  s.must(['launch', 'busybox', mapped])
  assert.deepEqual(initMap(mapped, 'uid_map'), [0, 1000000, 1000000000])
  assert.deepEqual(initMap(mapped, 'gid_map'), [0, 1000000, 1000000000])
  assert.match(daemonLog(), /Unprivileged containers: root id ranges can be mapped/)
  // An instance made while the range was there is refused at start once it is gone, unchanged.
  s.must(['stop', mapped, '--force'])
  for (const f of files) writeFileSync(f, withoutRoot(f))
  const config = s.must(['config', 'show', mapped])
  const before = hostSnapshot()
  const start = s.lxc(['start', mapped])
  assert.notEqual(start.status, 0)
  assert.match(start.stderr, /Add the line "root:1000000:1000000000" to \/etc\/subuid/)
  assert.equal(hostSnapshot(), before, 'the refused start made no link or cgroup')
  assert.equal(s.must(['config', 'show', mapped]), config)
  assert.equal(run('bash', [join(repoRoot, 'scripts/ensure-root-subids.sh')]).status, 0)
  s.must(['start', mapped])
  s.must(['delete', mapped, '--force'])
})

test('an existing range of root is never changed, and other users keep theirs', { skip }, () => {
  writeFileSync('/etc/subuid', 'alice:1000000:65536\nroot:300000:65536\n')
  writeFileSync('/etc/subgid', 'alice:1000000:65536\n')
  const step = run('bash', [join(repoRoot, 'scripts/ensure-root-subids.sh')])
  assert.equal(step.status, 0, step.stderr)
  assert.equal(read('/etc/subuid'), 'alice:1000000:65536\nroot:300000:65536\n')
  // LXD's 1000000 is taken by alice here: root gets the first free range above it.
  assert.equal(read('/etc/subgid'), 'alice:1000000:65536\nroot:1114112:1000000000\n')
})
