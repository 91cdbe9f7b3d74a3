/** @module Unit tier: the LXC config builder, golden-tested, plus idmap choice and profile expansion. */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { expand, rootDisk } from '../../src/instance/expand.js'
import { fallbackRange, hostRootUid, pickRootRange, sharedIdmap } from '../../src/instance/idmap.js'
import { buildLxcConfig, escapeMountPath, type LxcConfigInput } from '../../src/instance/lxc/lxc-config.js'
import { assertGolden } from '../helpers/golden.js'

const base: LxcConfigInput = {
  name: 'c1',
  hostname: 'c1',
  rootfs: '/var/lib/corral/storage-pools/default/containers/c1/rootfs',
  idmap: sharedIdmap({ start: 100000, size: 10000001 }, { start: 100000, size: 10000001 }),
  idmappedRootfs: true,
  logFile: '/var/lib/corral/containers/c1/lxc.log',
  consoleLog: '/var/lib/corral/containers/c1/console.log',
  cgroupPrefix: 'corral-0123abcd',
  cgroupVersion: 'cgroup',
  apparmor: false,
  config: {},
  mounts: [],
  cpuCount: 2,
  hostMemory: 8 * 2 ** 30,
  // What the LXD 5.0.2 machine of shared/reference/lxd-observed had (no EFI, configfs or mqueue).
  bindSources: [
    { path: '/dev/fuse', dir: false },
    { path: '/dev/net/tun', dir: false },
    { path: '/proc/sys/fs/binfmt_misc', dir: true },
    { path: '/sys/fs/fuse/connections', dir: true },
    { path: '/sys/fs/pstore', dir: true },
    { path: '/sys/kernel/debug', dir: true },
    { path: '/sys/kernel/security', dir: true },
    { path: '/sys/kernel/tracing', dir: true },
  ],
}

test('buildLxcConfig() renders an unprivileged container with an idmapped rootfs (golden)', () => {
  assertGolden(buildLxcConfig(base), 'lxc.conf.c1')
})

test('buildLxcConfig() renders limits, environment, bind mounts, nesting and raw.lxc (golden)', () => {
  const text = buildLxcConfig({
    ...base,
    config: {
      'limits.cpu': '1',
      'limits.memory': '256MiB',
      'limits.processes': '200',
      'environment.FOO': 'bar',
      'security.nesting': 'true',
      'raw.lxc': 'lxc.apparmor.allow_nesting = 1',
    },
    mounts: [{ source: '/srv/data', target: 'mnt/data', readonly: true, file: false }],
  })
  assertGolden(text, 'lxc.conf.limits')
})

test('buildLxcConfig() gives a privileged container no user namespace and no idmapped rootfs', () => {
  const text = buildLxcConfig({ ...base, idmap: [] })
  assert.doesNotMatch(text, /userns\.conf|lxc\.idmap|idmap=container/)
  assert.match(text, /lxc\.include = \/usr\/share\/lxc\/config\/common\.conf/)
})

// shared/ sits beside the checkout (CI), or beside the worktrees' folder (a developer's worktree).
const observed = ['../../../../../../shared/', '../../../../../../../shared/']
  .map((p) => new URL(`${p}reference/lxd-observed/lxc.conf.c1`, import.meta.url))
  .find((u) => existsSync(u))

test("buildLxcConfig() writes LXD 5.0.2's distribution lines as observed, and no halt signal", (t) => {
  if (!observed) return t.skip('shared/reference/lxd-observed is not beside this checkout')
  const ours = buildLxcConfig(base).split('\n')
  const lxd = readFileSync(observed, 'utf8').split('\n')
  const wanted = lxd.filter(
    (l) => /^lxc\.mount\.entry = \/(dev|proc|sys)\//.test(l) || /^lxc\.mount\.auto = proc/.test(l),
  )
  assert.equal(wanted.length, 9, 'the observed file has the mount.auto line and eight binds')
  for (const line of wanted) assert.ok(ours.includes(line), `missing LXD's line: ${line}`)
  assert.ok(!lxd.some((l) => l.startsWith('lxc.signal.halt')))
  assert.ok(!ours.some((l) => l.startsWith('lxc.signal.halt')), 'LXC picks the signal by the init')
})

test('buildLxcConfig() mounts a fresh mqueue, allows TUN and mixes proc/sys for a privileged container', () => {
  const text = buildLxcConfig({
    ...base,
    idmap: [],
    bindSources: [...base.bindSources!, { path: '/dev/mqueue', dir: true }],
  })
  assert.match(text, /^lxc\.mount\.auto = proc:mixed sys:mixed cgroup:mixed$/m)
  assert.match(text, /^lxc\.cgroup\.devices\.allow = c 10:200 rwm$/m)
  assert.match(text, /^lxc\.mount\.entry = mqueue dev\/mqueue mqueue rw,relatime,create=dir,optional 0 0$/m)
  assert.doesNotMatch(text, /^lxc\.mount\.entry = \/dev\/mqueue /m)
  const unprivileged = buildLxcConfig({ ...base, bindSources: [{ path: '/dev/mqueue', dir: true }] })
  assert.match(
    unprivileged,
    /^lxc\.mount\.entry = \/dev\/mqueue dev\/mqueue none rbind,create=dir,optional 0 0$/m,
  )
  assert.match(
    buildLxcConfig({ ...base, cgroupVersion: 'cgroup2' }),
    /^lxc\.mount\.auto = proc:rw sys:rw cgroup:rw:force$/m,
  )
})

test("pickRootRange() takes root's first range of at least 65536 ids, else LXD's fallback", () => {
  assert.deepEqual(pickRootRange('_lxd:100000:10000001\nroot:100000:10000001\n'), {
    start: 100000,
    size: 10000001,
  })
  assert.deepEqual(pickRootRange('root:100000:1000\nroot:200000:65536\n'), { start: 200000, size: 65536 })
  assert.deepEqual(pickRootRange(undefined), fallbackRange)
  assert.deepEqual(pickRootRange('alice:100000:65536\n'), fallbackRange)
})

test("sharedIdmap() maps container root to the range start, in LXD's volatile JSON shape", () => {
  const map = sharedIdmap({ start: 100000, size: 65536 }, { start: 200000, size: 65536 })
  assert.equal(
    JSON.stringify(map),
    '[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":65536},{"Isuid":false,"Isgid":true,"Hostid":200000,"Nsid":0,"Maprange":65536}]',
  )
  assert.equal(hostRootUid(map), 100000)
})

test('expand() applies profiles in order, local config on top, and drops none devices', () => {
  const out = expand(
    [
      {
        config: { 'limits.cpu': '1', 'user.a': 'p1' },
        devices: { root: { type: 'disk', path: '/', pool: 'p' }, eth0: { type: 'nic' } },
      },
      { config: { 'limits.cpu': '2' }, devices: {} },
    ],
    { config: { 'user.a': 'local' }, devices: { eth0: { type: 'none' } } },
  )
  assert.deepEqual(out.config, { 'limits.cpu': '2', 'user.a': 'local' })
  assert.deepEqual(Object.keys(out.devices), ['root'])
  assert.equal(rootDisk(out.devices)?.[0], 'root')
})

test('buildLxcConfig() refuses a line break that would inject configuration', () => {
  assert.throws(
    () =>
      buildLxcConfig({ ...base, config: { 'environment.X': 'a\nlxc.mount.entry = / mnt none bind 0 0' } }),
    /line break/,
  )
  const escaped = buildLxcConfig({
    ...base,
    mounts: [{ source: '/srv\nlxc.idmap = u 0 0 1', target: 'mnt', readonly: false, file: false }],
  })
  assert.doesNotMatch(
    escaped,
    /^lxc\.idmap = u 0 0 1/m,
    'a newline in a mount path is escaped, not a new line',
  )
  assert.throws(
    () =>
      buildLxcConfig({
        ...base,
        mounts: [{ source: '/srv\rx', target: 'mnt', readonly: false, file: false }],
      }),
    /line break/,
  )
  // LXC stops reading a line at NUL: what follows would be lost, so it is refused too.
  assert.throws(() => buildLxcConfig({ ...base, config: { 'user.x': 'a\0b' } }), /NUL/)
})

test('buildLxcConfig() escapes space, tab, newline and backslash in mount paths as octal (golden)', () => {
  const text = buildLxcConfig({
    ...base,
    mounts: [
      { source: '/srv/my data', target: 'mnt/my data', readonly: false, file: false },
      { source: '/srv/tab\there', target: 'mnt/new\nline', readonly: true, file: false },
      { source: '/srv/back\\slash \\040', target: 'etc/a file.conf', readonly: false, file: true },
    ],
  })
  assertGolden(text, 'lxc.conf.mounts')
  for (const line of text.split('\n').filter((l) => l.startsWith('lxc.mount.entry = ')))
    assert.equal(line.slice('lxc.mount.entry = '.length).split(' ').length, 6, `six fields: ${line}`)
})

test('escapeMountPath() leaves ordinary paths alone and escapes what getmntent decodes', () => {
  assert.equal(escapeMountPath('/srv/data-1_x.y'), '/srv/data-1_x.y')
  assert.equal(escapeMountPath('a b\tc\nd\\e'), 'a\\040b\\011c\\012d\\134e')
})

test("buildLxcConfig() replaces lxcfs's mount hook by optional binds, and runs its reboot hook only on a reboot", () => {
  const text = buildLxcConfig({
    ...base,
    lxcfsBinds: [
      { source: '/var/lib/lxcfs/proc/meminfo', target: 'proc/meminfo' },
      { source: '/var/lib/lxcfs', target: 'var/lib/lxcfs' },
    ],
  })
  const lines = text.split('\n')
  const cleared = lines.indexOf('lxc.hook.mount =')
  assert.ok(
    cleared > lines.indexOf('lxc.include = /usr/share/lxc/config/common.conf'),
    'cleared after the include',
  )
  assert.equal(
    lines[cleared + 1],
    'lxc.mount.entry = /var/lib/lxcfs/proc/meminfo proc/meminfo none bind,optional 0 0',
  )
  assert.equal(lines[cleared + 2], 'lxc.mount.entry = /var/lib/lxcfs var/lib/lxcfs none bind,optional 0 0')
  assert.ok(lines.includes('lxc.hook.post-stop ='))
  assert.match(
    text,
    /lxc\.hook\.post-stop = \/bin\/sh -c '\[ "\$LXC_TARGET" = reboot \] && .*lxc\.reboot\.hook/,
  )
  // Without the list (lxcfs state unknown) the hook from common.conf.d stays.
  assert.ok(!buildLxcConfig(base).includes('lxc.hook.mount ='))
})
