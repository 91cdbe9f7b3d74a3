/** @module System tier: isolated idmaps and instance directory ownership, read from the host side. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { corralBin, repoRoot, startCorrald } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'
import { addProjectRootDisk } from '../helpers/setup.js'

const skip = sessionSkipReason({ image: true, pool: true })
const tag = String(process.pid % 100000)
const names = ['i1', 'i2', 'i3', 'i4', 'sh', 'sz', 'pv', 'rw'].map((n) => `${n}x${tag}`)
const [i1, i2, i3, i4, shared, sized, priv, rawmap] = names as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
]
const inProject = `ip${tag}`
let s: LxcSession
let sub = { start: 0, size: 0 }
const originals = new Map<string, string>()

/** Delegates host id 1000 to root for the raw.idmap test; undone in after(). */
function delegate(): void {
  for (const f of ['/etc/subuid', '/etc/subgid']) {
    const text = readFileSync(f, 'utf8')
    originals.set(f, text)
    writeFileSync(f, `${text === '' || text.endsWith('\n') ? text : `${text}\n`}root:1000:1\n`)
  }
}

/** The first line of a container's uid_map or gid_map as [nsid, hostid, range]. */
function idMap(name: string, file: 'uid_map' | 'gid_map'): number[][] {
  const pid = (JSON.parse(s.must(['query', `/1.0/instances/${name}/state`])) as { pid: number }).pid
  return readFileSync(`/proc/${pid}/${file}`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
}

const pidOf = (name: string) =>
  (JSON.parse(s.must(['query', `/1.0/instances/${name}/state`])) as { pid: number }).pid
const instanceDir = (name: string) => join(s.dir, 'storage-pools', 'default', 'containers', name)

before(async () => {
  if (skip) return
  const line = readFileSync('/etc/subuid', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('root:'))
  const [, start = '1000000', size = '1000000000'] = (line ?? '').split(':')
  sub = { start: Number(start), size: Number(size) }
  s = await startLxcSession('corral-idmap', { image: true, pool: true })
  s.must(['profile', 'create', `iso${tag}`])
  s.must(['profile', 'set', `iso${tag}`, 'security.idmap.isolated', 'true'])
  s.must(['launch', 'busybox', i1, '-c', 'security.idmap.isolated=true'])
  s.must(['launch', 'busybox', i2, '-c', 'security.idmap.isolated=true'])
  s.must(['launch', 'busybox', i3, '-p', 'default', '-p', `iso${tag}`])
  s.must(['launch', 'busybox', i4, '-p', 'default', '-p', `iso${tag}`])
  s.must(['launch', 'busybox', shared])
})

after(async () => {
  if (skip) return
  try {
    for (const n of names) s.lxc(['delete', n, '--force'])
    await s.close(names)
  } finally {
    for (const [f, text] of originals) writeFileSync(f, text)
  }
})

test(
  'four isolated containers (two through a profile) get disjoint host ranges; the first starts 65536 above the base',
  { skip },
  () => {
    const ranges = [i1, i2, i3, i4].map((n) => {
      const [uid] = idMap(n, 'uid_map')
      const [gid] = idMap(n, 'gid_map')
      assert.deepEqual(uid, gid, `${n}: uid and gid maps agree`)
      assert.equal(uid![0], 0)
      assert.equal(uid![2], 65536)
      return { base: uid![1]!, end: uid![1]! + uid![2] }
    })
    assert.equal(ranges[0]!.base, sub.start + 65536)
    for (let a = 0; a < ranges.length; a++)
      for (let b = a + 1; b < ranges.length; b++)
        assert.ok(
          ranges[a]!.end <= ranges[b]!.base || ranges[b]!.end <= ranges[a]!.base,
          `ranges ${a} and ${b} overlap`,
        )
    assert.equal(s.must(['config', 'get', i1, 'volatile.idmap.base']).trim(), String(ranges[0]!.base))
    assert.deepEqual(
      idMap(shared, 'uid_map'),
      [[0, sub.start, sub.size]],
      'the shared map is the whole range',
    )
  },
)

test(
  'inside an isolated container unmapped ids fail, and the same uid is a different host uid per container',
  { skip },
  () => {
    const chown = s.lxc(['exec', i1, '--', 'sh', '-c', 'touch /tmp/high && chown 65536 /tmp/high'])
    assert.notEqual(chown.status, 0, 'uid 65536 is outside a 65536-id map')
    const owners = [i1, i2].map((n) => {
      s.must(['exec', n, '--', 'sh', '-c', 'touch /tmp/owned && chown 1000:1000 /tmp/owned'])
      // Seen from the host through the container's (idmapped) root.
      return statSync(`/proc/${pidOf(n)}/root/tmp/owned`).uid
    })
    assert.notEqual(owners[0], owners[1])
    assert.equal(owners[0], idMap(i1, 'uid_map')[0]![1]! + 1000)
  },
)

test(
  'security.idmap.size and security.idmap.base give exactly that map; too large a size is refused',
  { skip },
  () => {
    const base = sub.start + 2_000_000
    s.must([
      'launch',
      'busybox',
      sized,
      '-c',
      'security.idmap.isolated=true',
      '-c',
      'security.idmap.size=100000',
      '-c',
      `security.idmap.base=${base}`,
    ])
    assert.deepEqual(idMap(sized, 'uid_map'), [[0, base, 100000]])
    const tooBig = s.lxc([
      'init',
      'busybox',
      `big${tag}`,
      '-c',
      'security.idmap.isolated=true',
      '-c',
      `security.idmap.size=${sub.size}`,
    ])
    assert.notEqual(tooBig.status, 0)
    assert.match(tooBig.stderr, /Not enough uid\/gid available for the container/)
    const outside = s.lxc([
      'init',
      'busybox',
      `out${tag}`,
      '-c',
      'security.idmap.isolated=true',
      '-c',
      `security.idmap.base=${sub.start - 1}`,
    ])
    assert.notEqual(outside.status, 0)
    assert.match(outside.stderr, /outside root's subordinate range/)
    for (const bad of ['security.idmap.size=big', 'security.idmap.size=0', 'security.idmap.base=-5']) {
      const r = s.lxc(['init', 'busybox', `bad${tag}`, '-c', bad])
      assert.notEqual(r.status, 0, bad)
      assert.match(r.stderr, /Invalid value for key/, bad)
    }
    assert.doesNotMatch(s.must(['list', '--format', 'csv', '-c', 'n']), /(big|out|bad)x?\d*/)
  },
)

test(
  'toggling security.idmap.isolated on a stopped container gives the new map at the next start',
  { skip },
  () => {
    s.must(['stop', i4, '--force'])
    s.must(['config', 'set', i4, 'security.idmap.isolated', 'false'])
    s.must(['start', i4])
    assert.deepEqual(idMap(i4, 'uid_map'), [[0, sub.start, sub.size]])
    assert.equal(statSync(instanceDir(i4)).uid, sub.start, 'the instance directory follows the map')
    assert.equal(statSync(`/proc/${pidOf(i4)}/root/bin/busybox`).uid, sub.start, 'so do the rootfs files')
    s.must(['stop', i4, '--force'])
    s.must(['config', 'unset', i4, 'security.idmap.isolated'])
    s.must(['start', i4])
    const [uid] = idMap(i4, 'uid_map')
    assert.equal(uid![2], 65536)
    assert.equal(statSync(instanceDir(i4)).uid, uid![1])
    assert.equal(statSync(`/proc/${pidOf(i4)}/root/bin/busybox`).uid, uid![1])
  },
)

test(
  'the instance directory is mode 0100, owned by the container root (unprivileged) or host root (privileged)',
  { skip },
  () => {
    const st = statSync(instanceDir(i1))
    assert.equal(st.mode & 0o7777, 0o100)
    assert.equal(st.uid, idMap(i1, 'uid_map')[0]![1])
    s.must(['launch', 'busybox', priv, '-c', 'security.privileged=true'])
    assert.deepEqual(idMap(priv, 'uid_map'), [[0, 0, 4294967295]])
    // corral marks it, and the daemon warned when it started.
    const corral = (args: string[]) =>
      spawnSync(corralBin, args, {
        env: { ...s.env(), CORRAL_DIR: s.dir },
        encoding: 'utf8',
      })
    assert.equal(
      corral(['list', priv, '--format', 'csv', '-c', 'nt']).stdout,
      `${priv},CONTAINER (PRIVILEGED)\n`,
    )
    assert.match(corral(['info', priv]).stdout, /^Type: container \(privileged\)$/m)
    assert.match(
      readFileSync(join(s.dir, 'logs', 'corrald.log'), 'utf8'),
      new RegExp(`Starting a privileged container.*${priv}`),
    )
    // Files reach a privileged container too (it shares the host's user namespace).
    const pushed = s.lxc(['file', 'push', '-', `${priv}/root/hello`], 'privileged hello\n')
    assert.equal(pushed.status, 0, pushed.stderr)
    assert.equal(s.must(['file', 'pull', `${priv}/root/hello`, '-']), 'privileged hello\n')
    const p = statSync(instanceDir(priv))
    assert.equal(p.mode & 0o7777, 0o100)
    assert.equal(p.uid, 0)
    const cap = s.must(['exec', priv, '--', 'grep', 'CapBnd', '/proc/1/status'])
    const bnd = BigInt(`0x${cap.split(/\s+/)[1]}`)
    for (const [name, bit] of [
      ['sys_module', 16n],
      ['sys_rawio', 17n],
      ['sys_time', 25n],
    ] as const)
      assert.equal((bnd >> bit) & 1n, 0n, `${name} is dropped`)
    // LXD's allow-list lets mknod create any node ("b *:* m") but not open a block device.
    const block = readdirSync('/sys/class/block').find((b) => /^(vd|sd|nvme|loop)/.test(b))!
    const dev = readFileSync(`/sys/class/block/${block}/dev`, 'utf8').trim().split(':')
    const opened = s.lxc([
      'exec',
      priv,
      '--',
      'sh',
      '-c',
      `mknod /tmp/blk b ${dev[0]} ${dev[1]}; head -c 1 /tmp/blk >/dev/null`,
    ])
    assert.notEqual(opened.status, 0, 'a block device outside the allow-list cannot be opened')
    assert.match(opened.stderr, /Operation not permitted/)
  },
)

test(
  "LXD's default seccomp denylist: the syscalls fail with EPERM inside, and a filter is installed",
  { skip },
  () => {
    const build = mkdtempSync('/tmp/corral-denied-')
    try {
      const tool = join(build, 'denied')
      const cc = spawnSync(
        'gcc',
        ['-static', '-O2', '-o', tool, join(repoRoot, 'test/fixtures/denied-syscalls.c')],
        {
          encoding: 'utf8',
        },
      )
      assert.equal(cc.status, 0, cc.stderr)
      for (const name of [i1, priv]) {
        // Copied in through exec (base64 on stdin), the same way for both containers.
        const copied = s.lxc(
          ['exec', name, '--', 'sh', '-c', 'base64 -d > /root/denied && chmod 0755 /root/denied'],
          readFileSync(tool).toString('base64'),
        )
        assert.equal(copied.status, 0, copied.stderr)
        const out = s.must(['exec', name, '--', '/root/denied'])
        // On the host these give ENOSYS or EFAULT; EPERM is the filter's answer.
        assert.equal(
          out,
          'kexec_load EPERM\nopen_by_handle_at EPERM\ninit_module EPERM\ndelete_module EPERM\n',
          name,
        )
        assert.match(s.must(['exec', name, '--', 'grep', 'Seccomp:', '/proc/1/status']), /Seccomp:\s+2/)
      }
    } finally {
      rmSync(build, { recursive: true, force: true })
    }
  },
)

test(
  'raw.idmap "both 1000 1000" maps host uid 1000 to container uid 1000; clashing maps are refused',
  { skip },
  () => {
    s.must(['init', 'busybox', rawmap])
    // LXC maps through newuidmap, which needs the host id delegated to root (as LXD documents).
    const refused = s.lxc(['config', 'set', rawmap, 'raw.idmap', 'both 1000 1000'])
    assert.notEqual(refused.status, 0)
    assert.match(
      refused.stderr,
      /host uid 1000 is not delegated to root in \/etc\/subuid \(add "root:1000:1"\)/,
    )
    delegate()
    s.must(['config', 'set', rawmap, 'raw.idmap', 'both 1000 1000'])
    s.must(['start', rawmap])
    assert.deepEqual(idMap(rawmap, 'uid_map'), [
      [0, sub.start, 1000],
      [1000, 1000, 1],
      [1001, sub.start + 1001, sub.size - 1001],
    ])
    s.must(['exec', rawmap, '--', 'sh', '-c', 'touch /tmp/mine && chown 1000:1000 /tmp/mine'])
    const st = statSync(`/proc/${pidOf(rawmap)}/root/tmp/mine`)
    assert.deepEqual([st.uid, st.gid], [1000, 1000])
    const before = s.must(['config', 'get', rawmap, 'raw.idmap'])
    for (const [value, message] of [
      ['both 1000 1000\nuid 1000 2000', /two lines map the same ids/],
      [`both ${sub.start + 5} 0`, /already in the container's range/],
      ['both 1000', null],
      ['user 1 1', /Invalid raw.idmap line/],
    ] as const) {
      const r = s.lxc(['config', 'set', rawmap, 'raw.idmap', value])
      if (message === null) {
        assert.equal(r.status, 0, 'a single id maps to itself')
        continue
      }
      assert.notEqual(r.status, 0, value)
      assert.match(r.stderr, message, value)
    }
    s.must(['config', 'set', rawmap, 'raw.idmap', before.trim()])
  },
)

test(
  'a project restricted to isolated containers forces isolated maps and refuses opting out',
  { skip },
  () => {
    const project = `iso${tag}`
    s.must([
      'project',
      'create',
      project,
      '-c',
      'features.profiles=true',
      '-c',
      'features.images=false',
      '-c',
      'restricted=true',
      '-c',
      'restricted.containers.privilege=isolated',
    ])
    // A restricted project has profiles of its own (LXD's rule): its default one gets the root disk.
    addProjectRootDisk(s.must, project)
    s.must(['launch', 'busybox', inProject, '--project', project])
    const pid = (
      JSON.parse(s.must(['query', `/1.0/instances/${inProject}/state?project=${project}`])) as { pid: number }
    ).pid
    const [uid] = readFileSync(`/proc/${pid}/uid_map`, 'utf8')
      .trim()
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .map(Number)
    assert.notEqual(uid, undefined)
    assert.equal(
      readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/)[2],
      '65536',
      'an isolated map without the key',
    )
    for (const [flag, message] of [
      ['security.idmap.isolated=false', /Non-isolated containers are forbidden/],
      ['security.privileged=true', /Privileged containers are forbidden/],
    ] as const) {
      const r = s.lxc(['init', 'busybox', `no${tag}`, '--project', project, '-c', flag])
      assert.notEqual(r.status, 0, flag)
      assert.match(r.stderr, message, flag)
    }
    s.must(['delete', inProject, '--force', '--project', project])
    s.must(['project', 'delete', project])
  },
)

test(
  'corrald --unprivileged-only refuses privileged containers and unsafe raw keys with a clear message',
  { skip },
  async () => {
    await s.daemon().stop()
    process.env.CORRAL_UNPRIVILEGED_ONLY = 'true'
    try {
      s.setDaemon(await startCorrald(s.dir))
      for (const [flag, message] of [
        ['security.privileged=true', /Privileged containers are forbidden on this server/],
        ['raw.idmap=both 1000 1000', /raw.idmap is forbidden on this server/],
        ['raw.lxc=lxc.include = /etc/evil.conf', /lxc.idmap and lxc.include in raw.lxc are forbidden/],
      ] as const) {
        const r = s.lxc(['init', 'busybox', `up${tag}`, '-c', flag])
        assert.notEqual(r.status, 0, flag)
        assert.match(r.stderr, message, flag)
      }
      assert.doesNotMatch(s.must(['list', '--format', 'csv', '-c', 'n']), new RegExp(`up${tag}`))
    } finally {
      delete process.env.CORRAL_UNPRIVILEGED_ONLY
      await s.daemon().stop()
      s.setDaemon(await startCorrald(s.dir))
    }
  },
)

test('security.syscalls.deny adds to the default denylist inside the container', { skip }, () => {
  s.must(['stop', i3, '--force'])
  s.must(['config', 'set', i3, 'security.syscalls.deny', 'sethostname'])
  s.must(['start', i3])
  const r = s.lxc(['exec', i3, '--', 'hostname', 'renamed'])
  assert.notEqual(r.status, 0)
  assert.match(r.stderr, /Operation not permitted/)
  s.must(['exec', i2, '--', 'hostname', 'renamed'])
  const both = s.lxc(['config', 'set', i3, 'security.syscalls.allow', 'read'])
  assert.notEqual(both.status, 0)
  assert.match(both.stderr, /cannot be used together/)
})
