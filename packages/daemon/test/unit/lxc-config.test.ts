/** @module Unit tier: the LXC config builder, golden-tested, plus idmap choice and profile expansion. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { expand, rootDisk } from '../../src/instance/expand.js'
import { fallbackRange, hostRootUid, pickRootRange, sharedIdmap } from '../../src/instance/idmap.js'
import { buildLxcConfig, escapeMountPath, type LxcConfigInput } from '../../src/instance/lxc/lxc-config.js'

const golden = (name: string) =>
  readFileSync(new URL(`../../../test/unit/golden/${name}`, import.meta.url), 'utf8')

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
}

test('buildLxcConfig() renders an unprivileged container with an idmapped rootfs (golden)', () => {
  assert.equal(buildLxcConfig(base), golden('lxc.conf.c1'))
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
  assert.equal(text, golden('lxc.conf.limits'))
})

test('buildLxcConfig() gives a privileged container no user namespace and no idmapped rootfs', () => {
  const text = buildLxcConfig({ ...base, idmap: [] })
  assert.doesNotMatch(text, /userns\.conf|lxc\.idmap|idmap=container/)
  assert.match(text, /lxc\.include = \/usr\/share\/lxc\/config\/common\.conf/)
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
  assert.equal(text, golden('lxc.conf.mounts'))
  for (const line of text.split('\n').filter((l) => l.startsWith('lxc.mount.entry = ')))
    assert.equal(line.slice('lxc.mount.entry = '.length).split(' ').length, 6, `six fields: ${line}`)
})

test('escapeMountPath() leaves ordinary paths alone and escapes what getmntent decodes', () => {
  assert.equal(escapeMountPath('/srv/data-1_x.y'), '/srv/data-1_x.y')
  assert.equal(escapeMountPath('a b\tc\nd\\e'), 'a\\040b\\011c\\012d\\134e')
})
