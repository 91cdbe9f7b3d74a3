/**
 * @module System tier: custom storage volumes on dir and btrfs pools, driven by the stock lxc
 * client against real containers: attach, data and owners across instances with different
 * maps (idmapped mounts: one owner on disk), snapshots and restore, copy, rename, move, the
 * refusals that keep an attached volume intact, and bad input that creates nothing.
 */
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { run, startCorrald } from '../helpers/corrald.js'
import { btrfsSkipReason } from '../helpers/setup.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true, pool: true })
if (skip) console.log(`# skipping storage volume system tests: ${skip}`)
const btrfsSkip = skip ?? btrfsSkipReason()
if (btrfsSkip && !skip) console.log(`# skipping the btrfs storage volume tests: ${btrfsSkip}`)

const tag = `crl${process.pid % 100000}`
let s: LxcSession
const containers: string[] = []

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-volumes', { image: true, pool: true })
})

/** Pools this file creates besides `default`; removed (with their volumes) at the end. */
const pools: string[] = []

/** Deletes every custom volume of a pool. */
function dropVolumes(pool: string): void {
  const r = s.lxc(['query', `/1.0/storage-pools/${pool}/volumes/custom`])
  if (r.status !== 0) return
  for (const url of JSON.parse(r.stdout) as string[])
    s.lxc(['storage', 'volume', 'delete', pool, url.split('/').pop()!])
}

after(async () => {
  if (skip || !s) return
  for (const c of containers) s.lxc(['delete', c, '--force'])
  for (const pool of [...pools, 'default']) dropVolumes(pool)
  for (const pool of pools) s.lxc(['storage', 'delete', pool])
  await s.close(containers)
})

/** Runs lxc and expects it to fail; returns stderr. */
function fails(args: string[]): string {
  const r = s.lxc(args)
  assert.notEqual(r.status, 0, `lxc ${args.join(' ')} should fail: ${r.stdout}`)
  return r.stderr
}

/** Runs a shell command inside an instance. */
const sh = (name: string, script: string) => s.must(['exec', name, '--', 'sh', '-c', script])

/** Creates and starts a busybox container (removed at the end). */
function launch(name: string, ...config: string[]): void {
  containers.push(name)
  s.must(['launch', 'busybox', name, ...config.flatMap((c) => ['-c', c])])
}

/** The volume's directory on the host. */
const hostPath = (pool: string, vol: string) => join(s.dir, 'storage-pools', pool, 'custom', `default_${vol}`)

/** The host uid the container's root runs as. */
function hostRoot(name: string): number {
  const state = JSON.parse(s.must(['query', `/1.0/instances/${name}/state`])) as { pid: number }
  return Number(readFileSync(`/proc/${state.pid}/uid_map`, 'utf8').trim().split(/\s+/)[1])
}

/** Attaches a volume to a running container; disk devices apply at the next start on this branch, so it restarts. */
function attachRunning(pool: string, vol: string, name: string, path: string): void {
  s.must(['storage', 'volume', 'attach', pool, vol, name, path])
  s.must(['restart', name, '--force'])
}

/** A file's owner as uid:gid, read as an unprivileged host user could not (we are root). */
const owner = (path: string) => {
  const st = statSync(path)
  return `${st.uid}:${st.gid}`
}

/** Whether an unprivileged host user (nobody) can read the path. */
const nobodyReads = (path: string) =>
  run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', path]).status === 0

function volumeSuite(driver: 'dir' | 'btrfs', skipReason: string | undefined): void {
  describe(`custom volumes on a ${driver} pool`, { skip: skipReason }, () => {
    const pool = driver === 'dir' ? 'default' : `${tag}bt`
    const vol = `${driver}v1`
    const a = `${tag}${driver[0]}a`
    const b = `${tag}${driver[0]}b`
    const iso = `${tag}${driver[0]}i`

    before(() => {
      if (driver !== 'btrfs') return
      pools.push(pool)
      s.must(['storage', 'create', pool, 'btrfs', 'size=1GiB'])
    })

    test('create, list and show a custom volume', () => {
      s.must(['storage', 'volume', 'create', pool, vol, 'user.note=kept'])
      const list = s.must(['storage', 'volume', 'list', pool, '--format', 'csv'])
      assert.match(list, new RegExp(`^custom,${vol},,filesystem,0`, 'm'), list)
      const show = s.must(['storage', 'volume', 'show', pool, vol])
      assert.match(show, /user\.note: kept/)
      assert.match(show, new RegExp(`name: ${vol}\\n`))
      assert.match(show, /type: custom/)
      assert.equal(s.must(['storage', 'volume', 'get', pool, vol, 'user.note']), 'kept\n')
      s.must(['storage', 'volume', 'set', pool, vol, 'user.other=x'])
      s.must(['storage', 'volume', 'unset', pool, vol, 'user.other'])
      assert.doesNotMatch(s.must(['storage', 'volume', 'show', pool, vol]), /user\.other/)
      const edited = s.lxc(
        ['storage', 'volume', 'edit', pool, vol],
        'description: edited\nconfig:\n  user.note: kept\n  user.via: edit\n',
      )
      assert.equal(edited.status, 0, edited.stderr)
      assert.match(
        s.must(['storage', 'volume', 'show', pool, vol]),
        /description: edited\n[^]*user\.via: edit|user\.via: edit[^]*description: edited/,
      )
      const st = statSync(join(s.dir, 'storage-pools', pool, 'custom'))
      assert.equal(st.mode & 0o777, 0o700, 'the custom/ directory is root only')
    })

    test('attach to a running instance: writable as root inside, one owner on disk, unreachable for host users', () => {
      launch(a)
      attachRunning(pool, vol, a, '/data')
      sh(a, 'echo hello > /data/f && mkdir /data/d && chown 1000:1000 /data/d && echo x > /data/d/g')
      assert.equal(sh(a, 'stat -c %u:%g /data/f /data/d'), '0:0\n1000:1000\n')
      assert.ok(hostRoot(a) > 0, 'an unprivileged container')
      const path = hostPath(pool, vol)
      assert.equal(owner(join(path, 'f')), '0:0', 'on disk the file is owned by 0, not by the shifted root')
      assert.equal(owner(join(path, 'd')), '1000:1000')
      assert.equal(readFileSync(join(path, 'f'), 'utf8'), 'hello\n')
      assert.equal(nobodyReads(join(path, 'f')), false, 'a host user cannot read the volume')
      const staged = join(s.dir, 'devices', a, `volume.${vol}`, 'mnt', 'f')
      const stagedBy = run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', staged])
      assert.notEqual(stagedBy.status, 0, 'nor through the staging mount')
      // A running instance that has the volume may not lose it underneath.
      assert.match(fails(['storage', 'volume', 'delete', pool, vol]), /still in use/)
      assert.match(fails(['storage', 'volume', 'rename', pool, vol, `${vol}x`]), /still in use/)
      assert.equal(sh(a, 'cat /data/f'), 'hello\n', 'the volume is intact')
      assert.match(s.must(['storage', 'volume', 'show', pool, vol]), new RegExp(`/1.0/instances/${a}`))
      // The list shows instance volumes (type container) as LXD does; the instances live on the dir pool.
      const list = s.must(['storage', 'volume', 'list', pool, '--format', 'csv'])
      if (driver === 'dir')
        assert.match(
          s.must(['storage', 'volume', 'list', 'default', '--format', 'csv']),
          new RegExp(`^container,${a},,filesystem,1`, 'm'),
        )
      else assert.match(list, new RegExp(`^custom,${vol},edited,filesystem,1`, 'm'))
    })

    test('detach, attach to a second instance: the data is there, owned by root inside', () => {
      s.must(['storage', 'volume', 'detach', pool, vol, a])
      s.must(['restart', a, '--force'])
      assert.equal(sh(a, 'test -e /data/f && echo yes || echo no'), 'no\n')
      launch(b)
      attachRunning(pool, vol, b, '/srv/v')
      assert.equal(sh(b, 'cat /srv/v/f; stat -c %u:%g /srv/v/f /srv/v/d'), 'hello\n0:0\n1000:1000\n')
    })

    test('an isolated instance: refused while a differently mapped one has it, then sees the files as root', () => {
      containers.push(iso)
      s.must(['init', 'busybox', iso, '-c', 'security.idmap.isolated=true'])
      s.must(['storage', 'volume', 'attach', pool, vol, iso, '/v'])
      assert.match(
        fails(['start', iso]),
        /Idmaps of container "[^"]+" and storage volume "[^"]+" are not identical/,
      )
      s.must(['storage', 'volume', 'detach', pool, vol, b])
      s.must(['start', iso])
      assert.notEqual(hostRoot(iso), hostRoot(b), 'the isolated instance has its own map')
      assert.equal(sh(iso, 'cat /v/f; stat -c %u:%g /v/f /v/d'), 'hello\n0:0\n1000:1000\n')
      sh(iso, 'echo from-iso > /v/iso')
      assert.equal(owner(join(hostPath(pool, vol), 'iso')), '0:0', 'still one owner on disk')
      // security.shifted=true lets differently mapped instances share it.
      s.must(['storage', 'volume', 'set', pool, vol, 'security.shifted=true'])
      attachRunning(pool, vol, b, '/srv/v')
      assert.equal(sh(b, 'cat /srv/v/iso; stat -c %u /srv/v/iso'), 'from-iso\n0\n')
      s.must(['storage', 'volume', 'detach', pool, vol, b])
      s.must(['restart', b, '--force'])
      s.must(['storage', 'volume', 'unset', pool, vol, 'security.shifted'])
    })

    test('snapshot, change, restore: the data and its owners come back', () => {
      s.must(['storage', 'volume', 'snapshot', pool, vol, 'snap0'])
      assert.match(s.must(['storage', 'volume', 'info', pool, vol]), /snap0/)
      sh(iso, 'echo changed > /v/f && chown 1000:1000 /v/f && rm -r /v/d')
      assert.equal(owner(join(hostPath(pool, vol), 'f')), '1000:1000')
      assert.match(fails(['storage', 'volume', 'restore', pool, vol, 'snap0']), /running instance/)
      s.must(['stop', iso, '--force'])
      s.must(['storage', 'volume', 'restore', pool, vol, 'snap0'])
      const path = hostPath(pool, vol)
      assert.equal(readFileSync(join(path, 'f'), 'utf8'), 'hello\n')
      assert.equal(owner(join(path, 'f')), '0:0')
      assert.equal(owner(join(path, 'd')), '1000:1000')
      s.must(['start', iso])
      assert.equal(
        sh(iso, 'cat /v/f; stat -c %u:%g /v/f /v/d; echo w > /v/after && echo writable'),
        'hello\n0:0\n1000:1000\nwritable\n',
      )
      s.must(['storage', 'volume', 'rename', pool, `${vol}/snap0`, `${vol}/first`])
      assert.match(s.must(['storage', 'volume', 'info', pool, vol]), /first/)
      assert.match(s.must(['storage', 'volume', 'show', pool, `${vol}/first`]), /^name: first$/m)
      s.must(['storage', 'volume', 'snapshot', pool, vol])
      assert.match(
        s.must(['storage', 'volume', 'info', pool, vol]),
        /snap0/,
        'a snapshot without a name follows snapshots.pattern',
      )
      s.must(['storage', 'volume', 'delete', pool, `${vol}/snap0`])
      assert.doesNotMatch(s.must(['storage', 'volume', 'info', pool, vol]), /snap0/)
      assert.throws(() =>
        statSync(join(s.dir, 'storage-pools', pool, 'custom-snapshots', `default_${vol}`, 'snap0')),
      )
    })

    test('copy (with snapshots) and rename; a move to another pool keeps data and owners', () => {
      s.must(['storage', 'volume', 'copy', `${pool}/${vol}`, `${pool}/${vol}c`])
      const copy = hostPath(pool, `${vol}c`)
      assert.equal(readFileSync(join(copy, 'f'), 'utf8'), 'hello\n')
      assert.equal(owner(join(copy, 'd')), '1000:1000')
      assert.match(s.must(['storage', 'volume', 'info', pool, `${vol}c`]), /first/)
      // A copy to a pool of the other driver: files and owners as they are.
      const across = driver === 'dir' ? undefined : 'default'
      if (across) {
        s.must(['storage', 'volume', 'copy', `${pool}/${vol}`, `${across}/${vol}x`])
        assert.equal(readFileSync(join(hostPath(across, `${vol}x`), 'f'), 'utf8'), 'hello\n')
        assert.equal(owner(join(hostPath(across, `${vol}x`), 'd')), '1000:1000')
        assert.match(s.must(['storage', 'volume', 'info', across, `${vol}x`]), /first/)
        s.must(['storage', 'volume', 'delete', across, `${vol}x`])
      }
      s.must(['storage', 'volume', 'rename', pool, `${vol}c`, `${vol}r`])
      assert.equal(readFileSync(join(hostPath(pool, `${vol}r`), 'f'), 'utf8'), 'hello\n')
      const other = driver === 'dir' ? `${tag}d2` : 'default'
      if (driver === 'dir') {
        pools.push(other)
        s.must(['storage', 'create', other, 'dir'])
      }
      s.must(['storage', 'volume', 'move', `${pool}/${vol}r`, `${other}/${vol}m`])
      assert.equal(readFileSync(join(hostPath(other, `${vol}m`), 'f'), 'utf8'), 'hello\n')
      assert.equal(owner(join(hostPath(other, `${vol}m`), 'd')), '1000:1000')
      assert.doesNotMatch(
        s.must(['storage', 'volume', 'list', pool, '--format', 'csv']),
        new RegExp(`${vol}r`),
      )
      s.must(['storage', 'volume', 'delete', other, `${vol}m`])
      if (driver === 'dir') s.must(['storage', 'delete', other])
    })

    test('attach-profile and detach-profile: instances of the profile get the volume', () => {
      const pvol = `${vol}p`
      const profile = `${tag}${driver[0]}prof`
      const c = `${tag}${driver[0]}p`
      s.must(['storage', 'volume', 'create', pool, pvol])
      s.must(['profile', 'create', profile])
      s.must(['storage', 'volume', 'attach-profile', pool, pvol, profile, '/pv'])
      assert.match(s.must(['storage', 'volume', 'show', pool, pvol]), new RegExp(`/1.0/profiles/${profile}`))
      launch(c)
      s.must(['profile', 'add', c, profile])
      s.must(['restart', c, '--force'])
      sh(c, 'echo via-profile > /pv/f')
      assert.equal(readFileSync(join(hostPath(pool, pvol), 'f'), 'utf8'), 'via-profile\n')
      assert.match(fails(['storage', 'volume', 'delete', pool, pvol]), /still in use/)
      s.must(['delete', c, '--force'])
      s.must(['storage', 'volume', 'detach-profile', pool, pvol, profile])
      assert.doesNotMatch(s.must(['profile', 'show', profile]), /pv/)
      s.must(['profile', 'delete', profile])
      s.must(['storage', 'volume', 'delete', pool, pvol])
    })

    test('export and import: data, owners and snapshots come back under a new name', () => {
      const file = join(s.home, `${vol}.tar.gz`)
      s.must(['storage', 'volume', 'export', pool, vol, file])
      const members = run('tar', ['-tzf', file]).stdout
      assert.match(members, /^backup\/index\.yaml$/m)
      assert.match(members, /^backup\/volume\/f$/m)
      assert.match(members, /^backup\/volume-snapshots\/first\/f$/m)
      assert.equal(
        s.must(['query', `/1.0/storage-pools/${pool}/volumes/custom/${vol}/backups`]).trim(),
        '[]',
        'the export removed its backup',
      )
      s.must(['storage', 'volume', 'import', pool, file, `${vol}i`])
      const path = hostPath(pool, `${vol}i`)
      assert.equal(readFileSync(join(path, 'f'), 'utf8'), 'hello\n')
      assert.equal(owner(join(path, 'd')), '1000:1000')
      assert.equal(statSync(path).mode & 0o777, 0o711)
      assert.match(s.must(['storage', 'volume', 'info', pool, `${vol}i`]), /first/)
      assert.match(fails(['storage', 'volume', 'import', pool, file, `${vol}i`]), /already exists/)
      s.must(['storage', 'volume', 'delete', pool, `${vol}i`])
    })

    test('bad names and keys are refused with 4xx and create nothing', () => {
      const before = s.must(['storage', 'volume', 'list', pool, '--format', 'csv'])
      assert.match(fails(['storage', 'volume', 'create', pool, 'bad name']), /Invalid storage volume name/)
      assert.match(fails(['storage', 'volume', 'create', pool, '.hidden']), /Invalid storage volume name/)
      assert.match(
        fails(['storage', 'volume', 'create', pool, 'k1', 'no.such.key=1']),
        /Invalid option for volume "k1" option "no.such.key"/,
      )
      assert.match(
        fails(['storage', 'volume', 'create', pool, 'k2', 'block.filesystem=ext4']),
        /block volumes are not supported/,
      )
      assert.match(
        fails(['storage', 'volume', 'create', pool, 'k3', '--type=block']),
        /Block volumes are not supported/,
      )
      assert.match(
        fails(['storage', 'volume', 'create', pool, 'k4', 'size=lots']),
        /Invalid value for volume "k4" option "size"/,
      )
      if (driver === 'dir')
        assert.match(
          fails(['storage', 'volume', 'create', pool, 'k5', 'size=10MiB']),
          /not supported by the dir storage driver/,
        )
      assert.match(fails(['storage', 'volume', 'create', pool, vol]), /already exists/)
      const bad = s.lxc([
        'query',
        '-X',
        'POST',
        `/1.0/storage-pools/${pool}/volumes/custom`,
        '-d',
        '{"name":"../x"}',
      ])
      assert.notEqual(bad.status, 0)
      assert.match(bad.stderr, /slashes/)
      assert.equal(
        s.must(['storage', 'volume', 'list', pool, '--format', 'csv']),
        before,
        'nothing was created',
      )
      assert.match(
        fails([
          'config',
          'device',
          'add',
          a,
          'evil',
          'disk',
          `pool=${pool}`,
          'source=../../../etc',
          'path=/evil',
        ]),
        /Invalid storage volume source/,
      )
      assert.match(
        fails(['config', 'device', 'add', a, 'none', 'disk', `pool=${pool}`, 'source=nosuchvol', 'path=/x']),
        /not found/,
      )
    })

    if (driver === 'btrfs')
      test('size sets a quota on btrfs', () => {
        s.must(['storage', 'volume', 'create', pool, 'q1', 'size=20MiB'])
        s.must(['storage', 'volume', 'attach', pool, 'q1', a, '/q'])
        s.must(['restart', a, '--force'])
        const write = s.lxc(['exec', a, '--', 'sh', '-c', 'dd if=/dev/zero of=/q/big bs=1M count=40 && sync'])
        assert.notEqual(write.status, 0, 'writing past the quota fails')
        s.must(['storage', 'volume', 'detach', pool, 'q1', a])
        s.must(['restart', a, '--force'])
        s.must(['storage', 'volume', 'delete', pool, 'q1'])
      })

    test('delete: refused while attached, then gone with its snapshots', () => {
      assert.match(fails(['storage', 'volume', 'delete', pool, vol]), /still in use/)
      assert.equal(readFileSync(join(hostPath(pool, vol), 'f'), 'utf8'), 'hello\n')
      s.must(['delete', iso, '--force'])
      s.must(['storage', 'volume', 'delete', pool, vol])
      assert.throws(() => statSync(hostPath(pool, vol)))
      assert.doesNotMatch(
        s.must(['storage', 'volume', 'list', pool, '--format', 'csv']),
        new RegExp(`,${vol},`),
      )
      for (const c of [a, b]) s.must(['delete', c, '--force'])
      if (driver === 'btrfs') s.must(['storage', 'delete', pool])
    })
  })
}

volumeSuite('dir', skip)
volumeSuite('btrfs', btrfsSkip)

test(
  'volumes belong to their project; without features.storage.volumes a project uses the default project’s',
  { skip },
  () => {
    const own = `${tag}own`
    const shared = `${tag}shr`
    s.must(['project', 'create', own])
    s.must(['project', 'create', shared, '-c', 'features.storage.volumes=false'])
    try {
      s.must(['storage', 'volume', 'create', 'default', 'pv', '--project', own])
      assert.match(
        s.must(['storage', 'volume', 'list', 'default', '--format', 'csv', '--project', own]),
        /^custom,pv,/m,
      )
      assert.doesNotMatch(s.must(['storage', 'volume', 'list', 'default', '--format', 'csv']), /^custom,pv,/m)
      assert.equal(
        statSync(join(s.dir, 'storage-pools', 'default', 'custom', `${own}_pv`)).isDirectory(),
        true,
      )
      assert.match(s.lxc(['project', 'delete', own]).stderr, /Only empty projects/)
      s.must(['storage', 'volume', 'create', 'default', 'sv', '--project', shared])
      assert.match(s.must(['storage', 'volume', 'list', 'default', '--format', 'csv']), /^custom,sv,/m)
      assert.equal(statSync(hostPath('default', 'sv')).isDirectory(), true)
    } finally {
      s.lxc(['storage', 'volume', 'delete', 'default', 'pv', '--project', own])
      s.lxc(['storage', 'volume', 'delete', 'default', 'sv'])
      s.lxc(['project', 'delete', own])
      s.lxc(['project', 'delete', shared])
    }
  },
)

test(
  'a daemon killed while a volume is mounted: the restarted one keeps serving it and undoes the mount at stop',
  { skip },
  async () => {
    const c = `${tag}k`
    s.must(['storage', 'volume', 'create', 'default', 'kv'])
    launch(c)
    attachRunning('default', 'kv', c, '/kv')
    sh(c, 'echo before > /kv/f')
    const stage = join(s.dir, 'devices', c, 'volume.kv', 'mnt')
    const mounted = () => run('findmnt', ['-rn', '-o', 'TARGET']).stdout.split('\n').includes(stage)
    assert.ok(mounted(), 'the stage is mounted')
    await s.daemon().kill()
    s.setDaemon(await startCorrald(s.dir))
    assert.equal(sh(c, 'cat /kv/f'), 'before\n', 'the running instance kept its volume')
    assert.match(fails(['storage', 'volume', 'delete', 'default', 'kv']), /still in use/)
    s.must(['stop', c, '--force'])
    assert.equal(mounted(), false, 'the stop undid the stage mount from the record')
    s.must(['storage', 'volume', 'detach', 'default', 'kv', c])
    s.must(['storage', 'volume', 'delete', 'default', 'kv'])
    s.must(['delete', c])
  },
)
