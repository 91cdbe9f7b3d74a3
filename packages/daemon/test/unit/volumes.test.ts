/** @module Unit tier: custom volume names, paths and keys, and the pure parts of the host resources reader. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sharedIdmap } from '../../src/instance/idmap.js'
import { buildLxcConfig } from '../../src/instance/lxc/lxc-config.js'
import { cpuSockets, memoryOf, parseCpuinfo, parseMeminfo } from '../../src/host/resources.js'
import { checkLimits } from '../../src/project/restrictions.js'
import { customVolumeKeys } from '../../src/storage/volume-keys.js'
import { customSnapshotPath, customVolumePath, validateVolumeName } from '../../src/storage/volume-path.js'

test('volume names: no slashes, dot names, whitespace or control characters', () => {
  for (const good of ['vol1', 'data-1', 'a.b', 'x_y']) validateVolumeName(good)
  assert.throws(() => validateVolumeName(''), /No name provided/)
  assert.throws(() => validateVolumeName('a/b'), /may not contain slashes/)
  assert.throws(() => validateVolumeName('../x'), /may not contain slashes/)
  for (const bad of ['.', '..', '.hidden', 'a b', 'a\nb', 'a\\b', 'x'.repeat(64)])
    assert.throws(() => validateVolumeName(bad), /Invalid storage volume name/, JSON.stringify(bad))
})

test('volume paths stay in the pool: custom/<project>_<volume>', () => {
  assert.equal(customVolumePath('/p', 'default', 'v1'), '/p/custom/default_v1')
  assert.equal(customSnapshotPath('/p', 'web', 'v1', 's0'), '/p/custom-snapshots/web_v1/s0')
  assert.throws(() => customSnapshotPath('/p', 'web', 'v1', '../x'), /Invalid volume name/)
})

test('volume keys: LXD messages, block keys refused as unsupported', () => {
  const keys = customVolumeKeys('v1')
  keys.validate({ size: '10MiB', 'security.shifted': 'true', 'user.x': 'y' })
  assert.throws(() => keys.validate({ nope: '1' }), /Invalid option for volume "v1" option "nope"/)
  assert.throws(() => keys.validate({ 'block.filesystem': 'ext4' }), /block volumes are not supported/)
  assert.throws(() => keys.validate({ size: 'big' }), /Invalid value for volume "v1" option "size"/)
})

test('limits.disk counts custom volume sizes, each volume must have one', () => {
  const project = { name: 'p', config: { 'limits.disk': '100MiB' } }
  checkLimits(project, [], [{ name: 'a', config: { size: '60MiB' } }])
  assert.throws(
    () => checkLimits(project, [], [{ name: 'a', config: {} }]),
    /Custom volume "a" in project "p" has no "size"/,
  )
  assert.throws(
    () =>
      checkLimits(
        project,
        [],
        [
          { name: 'a', config: { size: '60MiB' } },
          { name: 'b', config: { size: '50MiB' } },
        ],
      ),
    /Reached maximum aggregate value "100MiB" for "limits.disk"/,
  )
})

test('cpuinfo: processors grouped into sockets and cores, threads counted', () => {
  const text = [0, 1, 2, 3]
    .map(
      (i) =>
        `processor\t: ${i}\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU\nphysical id\t: ${i >> 1}\ncore id\t\t: ${i & 1}\ncpu MHz\t\t: 2000.5\n`,
    )
    .join('\n')
  const procs = parseCpuinfo(text)
  assert.equal(procs.length, 4)
  const sockets = cpuSockets(procs, () => ({ online: true }))
  assert.equal(sockets.length, 2)
  assert.equal(sockets[0]!.name, 'Test CPU')
  assert.deepEqual(
    sockets.map((s) => s.cores.length),
    [2, 2],
  )
  assert.equal(sockets[1]!.cores[1]!.threads[0]!.id, 3)
  assert.equal(sockets[0]!.frequency, 2001)
})

test('meminfo: used is total minus free, cache and buffers, in bytes', () => {
  const info = parseMeminfo(
    'MemTotal:       1000 kB\nMemFree:         100 kB\nBuffers:          50 kB\nCached:          250 kB\nHugePages_Total:       0\nHugepagesize:    2048 kB\n',
  )
  const m = memoryOf(info)
  assert.equal(m.total, 1000 * 1024)
  assert.equal(m.used, 600 * 1024)
  assert.equal(m.hugepages_size, 2048 * 1024)
})

test('a volume mount entry is idmapped to the container (as the rootfs), a host path is not', () => {
  const conf = buildLxcConfig({
    name: 'c1',
    hostname: 'c1',
    rootfs: '/x/rootfs',
    idmap: sharedIdmap({ start: 100000, size: 65536 }, { start: 100000, size: 65536 }),
    idmappedRootfs: true,
    logFile: '/x/log',
    consoleLog: '/x/console',
    cgroupPrefix: 'corral-0123abcd',
    cgroupVersion: 'cgroup2',
    apparmor: false,
    config: {},
    mounts: [
      { source: '/s/devices/c1/volume.data/mnt', target: 'data', readonly: false, file: false, idmap: true },
      { source: '/s/devices/c1/disk.host', target: 'host', readonly: true, file: false },
    ],
    cpuCount: 1,
    hostMemory: 2 ** 30,
  })
  assert.match(
    conf,
    /^lxc\.mount\.entry = \/s\/devices\/c1\/volume\.data\/mnt data none bind,create=dir,idmap=container 0 0$/m,
  )
  assert.match(conf, /^lxc\.mount\.entry = \/s\/devices\/c1\/disk\.host host none bind,create=dir,ro 0 0$/m)
})
