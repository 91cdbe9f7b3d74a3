/**
 * @module System tier: changes to a running container take effect at once (limits in its
 * cgroups, disks mounted in and out), or are reported as applying at the next start; a
 * restricted project cannot hot-plug what its restrictions forbid.
 */
import assert from 'node:assert/strict'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cgroupPrefix, run, unmountUnder } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { addRestrictedProject, queryWait } from '../helpers/setup.js'

const skip =
  sessionSkipReason({ image: true, pool: true }) ??
  (existsSync('/sys/fs/cgroup/memory') ? undefined : 'this test reads cgroup v1 files (v2 is unit-tested)')
if (skip) console.log(`# skipping live change system tests: ${skip}`)
const tag = process.pid % 10_000
const name = `crl${tag}lv`
const project = `crl${tag}p`
const tenantName = `crl${tag}tn`
let s: LxcSession
let work = ''

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-live', { image: true, pool: true })
  work = mkdtempSync('/tmp/corral-live-')
  s.must(['launch', 'busybox', name])
})

after(async () => {
  if (skip || !s) return
  s.lxc(['delete', name, '--force'])
  s.lxc(['delete', tenantName, '--force', '--project', project])
  run('lxc-stop', ['-k', '-n', `${project}_${tenantName}`, '-P', join(s.dir, 'containers')])
  unmountUnder(s.dir)
  await s.close([name])
  rmSync(work, { recursive: true, force: true })
})

/** A v1 cgroup file of the container's payload, on the host. */
const hostCg = (controller: string, file: string, inst = name) =>
  readFileSync(
    join('/sys/fs/cgroup', controller, `${cgroupPrefix(s.dir)}.payload.${inst}`, file),
    'utf8',
  ).trim()
/** The container's own view, through lxcfs (its /proc/meminfo and CPU list follow its cgroup). */
const inside = (cmd: string) => s.must(['exec', name, '--', 'sh', '-c', cmd]).trim()
const unlimited = '9223372036854771712'

test('limits.memory, limits.processes and limits.cpu reach the running container at once', { skip }, () => {
  s.must(['config', 'set', name, 'limits.memory', '32MiB'])
  assert.equal(hostCg('memory', 'memory.limit_in_bytes'), '33554432')
  // Inside: a process holding 100MB is killed at the limit (tail keeps a line without newline whole).
  // The hog offers itself to the OOM killer first: a second kill before the first one's memory is
  // freed would otherwise take the container's init (seen once in a full run).
  const hog = 'echo 1000 > /proc/self/oom_score_adj; head -c 100000000 /dev/zero | tail -n 1 | wc -c'
  const killed = s.lxc(['exec', name, '--', 'sh', '-c', hog])
  assert.notEqual(killed.stdout.trim(), '100000000', 'the memory limit held inside')
  s.must(['config', 'set', name, 'limits.memory', '128MiB'])
  assert.equal(hostCg('memory', 'memory.limit_in_bytes'), '134217728')
  s.must(['config', 'set', name, 'limits.processes', '20'])
  assert.equal(hostCg('pids', 'pids.max'), '20')
  // Inside: more processes than the limit cannot be made.
  const forks = s.lxc(['exec', name, '--', 'sh', '-c', 'for i in $(seq 1 30); do sleep 2 & done; wait'])
  assert.match(forks.stderr, /can't fork|Resource temporarily unavailable/, 'the 21st process is refused')
  s.must(['config', 'set', name, 'limits.cpu', '1'])
  assert.equal(hostCg('cpuset', 'cpuset.cpus'), '0')
  assert.equal(inside('nproc'), '1')
  // Lifted limits are lifted in the cgroups too.
  s.must(['config', 'unset', name, 'limits.memory'])
  assert.equal(hostCg('memory', 'memory.limit_in_bytes'), unlimited)
  s.must(['config', 'unset', name, 'limits.processes'])
  assert.equal(hostCg('pids', 'pids.max'), 'max')
  assert.equal(inside(hog), '100000000', 'without the limit the same process completes')
  s.must(['config', 'unset', name, 'limits.cpu'])
  const all = readFileSync('/sys/fs/cgroup/cpuset/cpuset.cpus', 'utf8').trim()
  assert.equal(hostCg('cpuset', 'cpuset.cpus'), all)
  assert.equal(inside('nproc'), String(onlineCpus()))
})

/** The host's CPU count as nproc counts it (the online list). */
function onlineCpus(): number {
  return readFileSync('/sys/devices/system/cpu/online', 'utf8')
    .trim()
    .split(',')
    .reduce((n, part) => {
      const [a, b] = part.split('-').map(Number)
      return n + (b === undefined ? 1 : b - a! + 1)
    }, 0)
}

test('a limit the kernel refuses is refused, and nothing changes', { skip }, () => {
  s.must(['config', 'set', name, 'limits.processes', '50'])
  // Below the processes the container has: the kernel takes it (no new process may fork), so
  // the refusal case is memory below what is in use, which v1 cannot reclaim from busybox.
  const r = s.lxc(['config', 'set', name, 'limits.processes=60', 'limits.memory=4KiB'])
  if (r.status === 0) {
    // Some kernels reclaim enough: then the limit is really in place.
    console.log('# the kernel reclaimed the container down to 4KiB: the limit took effect')
    assert.equal(hostCg('memory', 'memory.limit_in_bytes'), '4096')
    s.must(['config', 'unset', name, 'limits.memory'])
    return
  }
  console.log(`# refused: ${r.stderr.trim()}`)
  assert.match(r.stderr, /memory\.limit_in_bytes/)
  assert.equal(s.must(['config', 'get', name, 'limits.memory']).trim(), '')
  assert.equal(s.must(['config', 'get', name, 'limits.processes']).trim(), '50')
  assert.equal(hostCg('memory', 'memory.limit_in_bytes'), unlimited)
  assert.equal(hostCg('pids', 'pids.max'), '50', 'the write before the refused one was set back')
  s.must(['config', 'unset', name, 'limits.processes'])
})

test('a profile change of limits reaches the running instances that use it', { skip }, () => {
  const profile = `crl${tag}lp`
  try {
    s.must(['profile', 'create', profile])
    s.must(['profile', 'set', profile, 'limits.memory', '64MiB'])
    s.must(['profile', 'add', name, profile])
    assert.equal(hostCg('memory', 'memory.limit_in_bytes'), '67108864')
    s.must(['profile', 'set', profile, 'limits.memory', '96MiB'])
    assert.equal(hostCg('memory', 'memory.limit_in_bytes'), '100663296')
    s.must(['profile', 'unset', profile, 'limits.memory'])
    assert.equal(hostCg('memory', 'memory.limit_in_bytes'), unlimited)
    s.must(['profile', 'set', profile, 'limits.processes', '30'])
    assert.equal(hostCg('pids', 'pids.max'), '30')
    s.must(['profile', 'remove', name, profile])
    assert.equal(hostCg('pids', 'pids.max'), 'max')
  } finally {
    s.lxc(['profile', 'remove', name, profile])
    s.lxc(['profile', 'delete', profile])
  }
})

test(
  'bad limits are refused with nothing changed; masking a device with none unplugs it at once',
  { skip },
  () => {
    for (const [key, value] of [
      ['limits.memory', 'lots'],
      ['limits.processes', '0'],
      ['limits.cpu', '0;1'],
    ] as const) {
      const r = s.lxc(['config', 'set', name, key, value])
      assert.notEqual(r.status, 0, `${key}=${value} refused`)
      assert.match(r.stderr, new RegExp(`Invalid value for key "${key.replace('.', '\\.')}"`))
      assert.equal(s.must(['config', 'get', name, key]).trim(), '')
    }
    assert.equal(hostCg('memory', 'memory.limit_in_bytes'), unlimited)
    const profile = `crl${tag}mk`
    const source = join(work, 'masked')
    mkdirSync(source)
    try {
      s.must(['profile', 'create', profile])
      s.must(['profile', 'device', 'add', profile, 'md', 'disk', `source=${source}`, 'path=/mnt/md'])
      s.must(['profile', 'add', name, profile])
      assert.match(s.must(['exec', name, '--', 'cat', '/proc/mounts']), / \/mnt\/md /)
      const out = queryWait(s.must, 'PATCH', `/1.0/instances/${name}`, { devices: { md: { type: 'none' } } })
      assert.doesNotMatch(out, /pending_restart/, 'nothing waits for a restart')
      assert.doesNotMatch(s.must(['exec', name, '--', 'cat', '/proc/mounts']), / \/mnt\/md /)
    } finally {
      s.lxc(['config', 'device', 'remove', name, 'md'])
      s.lxc(['profile', 'remove', name, profile])
      s.lxc(['profile', 'delete', profile])
    }
  },
)

test('a key that applies only at the next start says so in the operation', { skip }, () => {
  const out = queryWait(s.must, 'PATCH', `/1.0/instances/${name}`, { config: { 'security.nesting': 'true' } })
  const op = JSON.parse(out) as { metadata?: { pending_restart?: { config: string[] } } } | null
  assert.deepEqual(op?.metadata?.pending_restart?.config, ['security.nesting'], out)
  s.must(['config', 'unset', name, 'security.nesting'])
})

test('a disk hot-plugs into the running container, writable, and is gone after removal', { skip }, () => {
  const source = join(work, 'data')
  // Host root owns it, which is nobody inside an unprivileged container: open it to everyone.
  mkdirSync(source, { mode: 0o777 })
  chmodSync(source, 0o777)
  writeFileSync(join(source, 'hello'), 'from host\n')
  s.must(['config', 'device', 'add', name, 'data', 'disk', `source=${source}`, 'path=/mnt/data'])
  assert.equal(s.must(['exec', name, '--', 'cat', '/mnt/data/hello']), 'from host\n')
  s.must(['exec', name, '--', 'sh', '-c', 'echo from inside > /mnt/data/new'])
  assert.equal(readFileSync(join(source, 'new'), 'utf8'), 'from inside\n')
  assert.match(s.must(['exec', name, '--', 'cat', '/proc/mounts']), / \/mnt\/data /)

  // A change that cannot go in (its new source is missing) is refused, and the disk stays as it was.
  const bad = s.lxc(['config', 'device', 'set', name, 'data', `source=${join(work, 'missing')}`])
  assert.notEqual(bad.status, 0)
  assert.match(bad.stderr, /Missing source path/)
  assert.equal(s.must(['config', 'device', 'get', name, 'data', 'source']).trim(), source)
  assert.equal(s.must(['exec', name, '--', 'cat', '/mnt/data/hello']), 'from host\n', 'still mounted')

  s.must(['config', 'device', 'remove', name, 'data'])
  assert.doesNotMatch(s.must(['exec', name, '--', 'cat', '/proc/mounts']), / \/mnt\/data /)
  assert.equal(s.must(['exec', name, '--', 'ls', '/mnt/data']), '', 'the mount point is empty')
  assert.equal(
    run('findmnt', ['-rn', '-o', 'TARGET'])
      .stdout.split('\n')
      .filter((t) => t.startsWith(`${s.dir}/`)).length,
    0,
    'no staging mount is left on the host',
  )
  assert.equal(readFileSync(join(source, 'hello'), 'utf8'), 'from host\n', 'the host source is intact')
})

test('a read-only disk hot-plugs read-only; a file source mounts as a file', { skip }, () => {
  const source = join(work, 'ro')
  mkdirSync(source)
  writeFileSync(join(source, 'hello'), 'read me\n')
  const file = join(work, 'single.txt')
  writeFileSync(file, 'one file\n')
  s.must(['config', 'device', 'add', name, 'ro', 'disk', `source=${source}`, 'path=/mnt/ro', 'readonly=true'])
  s.must(['config', 'device', 'add', name, 'one', 'disk', `source=${file}`, 'path=/etc/one.txt'])
  assert.equal(s.must(['exec', name, '--', 'cat', '/mnt/ro/hello']), 'read me\n')
  const w = s.lxc(['exec', name, '--', 'sh', '-c', 'echo x > /mnt/ro/nope'])
  assert.notEqual(w.status, 0)
  assert.match(w.stderr, /Read-only file system/)
  assert.ok(!existsSync(join(source, 'nope')))
  assert.equal(s.must(['exec', name, '--', 'cat', '/etc/one.txt']), 'one file\n')
  // A changed option on a running disk: unplugged and plugged again with it.
  chmodSync(source, 0o777)
  s.must(['config', 'device', 'set', name, 'ro', 'readonly=false'])
  s.must(['exec', name, '--', 'sh', '-c', 'echo now > /mnt/ro/now'])
  assert.equal(readFileSync(join(source, 'now'), 'utf8'), 'now\n')
  s.must(['config', 'device', 'set', name, 'ro', 'readonly=true'])
  assert.notEqual(s.lxc(['exec', name, '--', 'sh', '-c', 'echo x > /mnt/ro/again']).status, 0)
  // After a restart the devices come back through the container's config, and go with a stop.
  s.must(['restart', name, '--force'])
  assert.equal(s.must(['exec', name, '--', 'cat', '/mnt/ro/hello']), 'read me\n')
  s.must(['config', 'device', 'remove', name, 'ro'])
  s.must(['config', 'device', 'remove', name, 'one'])
  assert.doesNotMatch(s.must(['exec', name, '--', 'cat', '/proc/mounts']), /\/mnt\/ro|one\.txt/)
})

test('a symlink inside the container cannot lead a hot-plugged disk onto a host path', { skip }, () => {
  const source = join(work, 'evil-src')
  mkdirSync(source)
  writeFileSync(join(source, 'marker'), 'x\n')
  const hostTarget = `/tmp/corral-live-escape-${tag}`
  s.must(['exec', name, '--', 'ln', '-s', '/tmp', '/mnt/link'])
  s.must([
    'config',
    'device',
    'add',
    name,
    'ev',
    'disk',
    `source=${source}`,
    `path=/mnt/link/corral-live-escape-${tag}`,
  ])
  // Resolved in the container's root: its own /tmp, never the host's.
  assert.equal(s.must(['exec', name, '--', 'cat', `/tmp/corral-live-escape-${tag}/marker`]), 'x\n')
  assert.ok(!existsSync(hostTarget), 'nothing appeared on the host')
  s.must(['config', 'device', 'remove', name, 'ev'])
})

test(
  'tenant: a restricted project cannot hot-plug a disk outside its allowed paths (nothing mounted)',
  { skip },
  () => {
    const allowed = join(work, 'allowed')
    mkdirSync(allowed)
    symlinkSync('/etc', join(allowed, 'to-etc'))
    addRestrictedProject(s.must, project, [
      'restricted.devices.disk=allow',
      `restricted.devices.disk.paths=${allowed}`,
      'features.images=false',
      'features.profiles=true',
    ])
    s.must(['launch', 'busybox', tenantName, '--project', project])
    const mountsBefore = run('findmnt', ['-rn', '-o', 'TARGET']).stdout
    for (const source of ['/etc', join(allowed, 'to-etc'), `${allowed}/../..`]) {
      const r = s.lxc([
        'config',
        'device',
        'add',
        tenantName,
        'steal',
        'disk',
        `source=${source}`,
        'path=/mnt/steal',
        '--project',
        project,
      ])
      assert.notEqual(r.status, 0, `refused: ${source}`)
      assert.match(r.stderr, /not allowed/)
    }
    assert.equal(run('findmnt', ['-rn', '-o', 'TARGET']).stdout, mountsBefore, 'no mount on the host')
    const inner = s.must(['exec', tenantName, '--project', project, '--', 'cat', '/proc/mounts'])
    assert.doesNotMatch(inner, /\/mnt\/steal/)
    const devices = s.must(['config', 'device', 'list', tenantName, '--project', project])
    assert.doesNotMatch(devices, /steal/)
    // What the restrictions allow still hot-plugs.
    writeFileSync(join(allowed, 'ok'), 'ok\n')
    s.must([
      'config',
      'device',
      'add',
      tenantName,
      'fine',
      'disk',
      `source=${allowed}`,
      'path=/mnt/fine',
      '--project',
      project,
    ])
    assert.equal(s.must(['exec', tenantName, '--project', project, '--', 'cat', '/mnt/fine/ok']), 'ok\n')
    s.must(['delete', tenantName, '--force', '--project', project])
  },
)

test(
  'a custom volume hot-plugs idmapped: written as root inside, owned by 0 on disk; detach unmounts it',
  { skip },
  () => {
    const vol = `crl${tag}v`
    s.must(['storage', 'volume', 'create', 'default', vol])
    try {
      s.must(['storage', 'volume', 'attach', 'default', vol, name, '/mnt/vol'])
      s.must(['exec', name, '--', 'sh', '-c', 'echo hi > /mnt/vol/f'])
      assert.equal(s.must(['exec', name, '--', 'stat', '-c', '%u:%g', '/mnt/vol/f']).trim(), '0:0')
      const onDisk = join(s.dir, 'storage-pools', 'default', 'custom', `default_${vol}`, 'f')
      assert.equal(readFileSync(onDisk, 'utf8'), 'hi\n')
      assert.equal(`${statSync(onDisk).uid}:${statSync(onDisk).gid}`, '0:0', 'one owner on disk, as at start')
      s.must(['storage', 'volume', 'detach', 'default', vol, name])
      assert.doesNotMatch(s.must(['exec', name, '--', 'cat', '/proc/mounts']), / \/mnt\/vol /)
    } finally {
      s.lxc(['storage', 'volume', 'detach', 'default', vol, name])
      s.lxc(['storage', 'volume', 'delete', 'default', vol])
    }
  },
)
