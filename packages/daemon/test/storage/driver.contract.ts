/** @module The contract every storage driver meets, run on real storage by each driver's test. */
import assert from 'node:assert/strict'
import { chmod, mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { makePool, type Pool } from '../../src/storage/pool.js'
import type { PoolFs } from '../../src/storage/recovery.js'
import type { DriverContext, StorageDriver } from '../../src/storage/drivers/driver.js'

/** How a driver's test plugs into the contract. */
export interface ContractSetup {
  driver: StorageDriver
  /** A context on a fresh temporary state directory; config before defaults. */
  context(): DriverContext | Promise<DriverContext>
  /** Removes what the test created even when the driver's delete failed. */
  cleanup(ctx: DriverContext): void | Promise<void>
  /** Asserts that a second instance shares the first's image data (copy-on-write drivers). */
  assertShared?(ctx: DriverContext, imagePath: string, instancePath: string): void | Promise<void>
  /** Asserts that a snapshot volume cannot be written. */
  assertReadOnly?(path: string): Promise<void>
  /** Creates a nested volume inside an instance, as a container's own tools might (btrfs subvolumes). */
  nest?(path: string): void | Promise<void>
  /** Asserts the pool left nothing on the host after delete (mounts, loop devices, files). */
  assertGone?(ctx: DriverContext): void | Promise<void>
}

const bigSize = 50 * 2 ** 20
const exists = async (p: string): Promise<boolean> => (await stat(p).catch(() => undefined)) !== undefined

/** A fake image unpacker that counts its calls and writes a small rootfs plus a 50 MB file. */
export function fakeUnpack(): { calls: number; unpack: (dir: string) => Promise<void> } {
  const state = {
    calls: 0,
    async unpack(dir: string) {
      state.calls++
      await mkdir(join(dir, 'rootfs/etc'), { recursive: true })
      await mkdir(join(dir, 'templates'), { recursive: true })
      await writeFile(join(dir, 'metadata.yaml'), 'architecture: x86_64\ncreation_date: 1\n')
      await writeFile(join(dir, 'rootfs/etc/hostname'), 'image\n')
      await writeFile(join(dir, 'rootfs/big'), Buffer.alloc(bigSize, 7))
    },
  }
  return state
}

/** True when a user other than root could reach `path`: every directory from `from` down to it is o+x. */
async function othersReach(from: string, path: string): Promise<boolean> {
  let dir = from
  for (const part of ['', ...relative(from, path).split('/')]) {
    dir = join(dir, part)
    if (((await stat(dir)).mode & 0o001) === 0) return false
  }
  return true
}

/** Where a simulated kill stops a restore: after the copy, after either rename, or before deleting the old volume. */
type CrashPoint = 'copied' | 'set aside' | 'swapped' | 'deleting old'

/**
 * A driver and file system that run for real until the crash point, then never return, as if the
 * daemon had been killed there; `reached` resolves when it got there.
 */
function crashingAt(driver: StorageDriver, point: CrashPoint) {
  let signal!: () => void
  const reached = new Promise<void>((resolve) => (signal = resolve))
  const die = (): Promise<never> => {
    signal()
    return new Promise<never>(() => undefined)
  }
  let renames = 0
  const fs: PoolFs = {
    async rename(from, to) {
      await rename(from, to)
      renames++
      if ((point === 'set aside' && renames === 1) || (point === 'swapped' && renames === 2)) await die()
    },
  }
  const crashing: StorageDriver = {
    ...driver,
    async copyVolume(ctx, src, dst, opts) {
      await driver.copyVolume(ctx, src, dst, opts)
      if (point === 'copied') await die()
    },
    async deleteVolume(ctx, path) {
      if (point === 'deleting old' && path.includes('/.old.')) await die()
      await driver.deleteVolume(ctx, path)
    },
  }
  return { driver: crashing, fs, reached }
}

/** Runs the storage driver contract against a driver on real storage. */
export function storageContract(name: string, setup: ContractSetup, skip?: string): void {
  describe(`storage driver contract: ${name}`, { skip }, () => {
    let ctx: DriverContext
    let pool: Pool
    const image = fakeUnpack()
    const fp = 'ab'.repeat(32)
    const create = (instance: string, project = 'default') =>
      pool.createInstanceFromImage({ project, instance, fingerprint: fp, unpack: image.unpack })

    before(async () => {
      ctx = await setup.context()
      ctx = { ...ctx, config: setup.driver.fillDefaults(ctx) }
      try {
        await setup.driver.create(ctx)
      } catch (err) {
        await setup.cleanup(ctx)
        throw err
      }
      pool = makePool(setup.driver, ctx)
    })
    after(async () => {
      try {
        await setup.driver.delete(ctx)
      } finally {
        await setup.cleanup(ctx)
      }
    })

    test(`${name}: create() mounts the pool with LXD's layout`, async () => {
      assert.deepEqual((await readdir(ctx.mountPath)).sort(), [
        'containers',
        'containers-snapshots',
        'images',
      ])
    })

    test(`${name}: createInstanceFromImage() gives the instance the image's files`, async () => {
      await create('c1')
      const dir = pool.instancePath('default', 'c1')
      assert.equal(dir, join(ctx.mountPath, 'containers/c1'))
      assert.equal(await readFile(join(dir, 'rootfs/etc/hostname'), 'utf8'), 'image\n')
      assert.equal((await stat(join(dir, 'rootfs/big'))).size, bigSize)
      assert.ok(await exists(join(dir, 'metadata.yaml')))
      assert.equal(image.calls, 1)
    })

    test(`${name}: a second instance from the same image is independent of the first`, async () => {
      await create('c2')
      const [c1, c2] = [pool.instancePath('default', 'c1'), pool.instancePath('default', 'c2')]
      await writeFile(join(c2, 'rootfs/etc/hostname'), 'c2\n')
      assert.equal(await readFile(join(c1, 'rootfs/etc/hostname'), 'utf8'), 'image\n')
      if (setup.driver.cachesImages) {
        assert.equal(image.calls, 1, 'the cached image volume is not unpacked again')
        await setup.assertShared?.(ctx, join(ctx.mountPath, 'images', fp), c2)
      } else {
        assert.equal(image.calls, 2)
      }
    })

    test(`${name}: an instance name that exists is refused`, async () => {
      await assert.rejects(create('c1'), /already exists/)
    })

    test(`${name}: a failed unpack leaves no volume behind and a retry works`, async () => {
      const failing = () => Promise.reject(new Error('corrupt image'))
      await assert.rejects(
        pool.createInstanceFromImage({
          project: 'default',
          instance: 'bad',
          fingerprint: 'cd'.repeat(32),
          unpack: failing,
        }),
        /corrupt image/,
      )
      assert.equal(await exists(pool.instancePath('default', 'bad')), false)
      assert.deepEqual(
        (await readdir(join(ctx.mountPath, 'images'))).filter((f) => f.startsWith('cd')),
        [],
      )
    })

    test(`${name}: volumes outside project default are named <project>_<instance>`, async () => {
      await create('c1', 'p1')
      assert.equal(pool.instancePath('p1', 'c1'), join(ctx.mountPath, 'containers/p1_c1'))
      assert.ok(await exists(join(pool.instancePath('p1', 'c1'), 'rootfs/etc/hostname')))
      await pool.deleteInstance('p1', 'c1')
    })

    test(`${name}: snapshot, change, restore brings the snapshot's content back`, async () => {
      const dir = pool.instancePath('default', 'c1')
      await pool.createSnapshot('default', 'c1', 'snap0')
      const snap = pool.snapshotPath('default', 'c1', 'snap0')
      assert.equal(snap, join(ctx.mountPath, 'containers-snapshots/c1/snap0'))
      await setup.assertReadOnly?.(join(snap, 'rootfs/etc/hostname'))
      await writeFile(join(dir, 'rootfs/etc/hostname'), 'changed\n')
      await writeFile(join(dir, 'rootfs/new-file'), 'x')
      await pool.restoreSnapshot('default', 'c1', 'snap0')
      assert.equal(await readFile(join(dir, 'rootfs/etc/hostname'), 'utf8'), 'image\n')
      assert.equal(await exists(join(dir, 'rootfs/new-file')), false)
      assert.equal((await stat(join(dir, 'rootfs/big'))).size, bigSize)
      assert.deepEqual(await readdir(join(ctx.mountPath, 'containers')), ['c1', 'c2'])
    })

    test(`${name}: snapshots rename, and an instance renames with its snapshots`, async () => {
      await pool.renameSnapshot('default', 'c1', 'snap0', 'snap1')
      assert.ok(await exists(pool.snapshotPath('default', 'c1', 'snap1')))
      await pool.renameInstance('default', 'c1', 'c3')
      assert.equal(await exists(pool.instancePath('default', 'c1')), false)
      assert.ok(await exists(join(pool.instancePath('default', 'c3'), 'rootfs/big')))
      assert.ok(await exists(pool.snapshotPath('default', 'c3', 'snap1')))
      await assert.rejects(pool.renameInstance('default', 'c3', 'c2'), /already exists/)
    })

    test(`${name}: deleteSnapshot() removes one snapshot`, async () => {
      await pool.createSnapshot('default', 'c3', 'snap2')
      await pool.deleteSnapshot('default', 'c3', 'snap1')
      assert.deepEqual(await readdir(join(ctx.mountPath, 'containers-snapshots/c3')), ['snap2'])
    })

    test(`${name}: deleteInstance() removes the volume, its snapshots and nested volumes`, async () => {
      const c2 = pool.instancePath('default', 'c2')
      await setup.nest?.(join(c2, 'rootfs/machines'))
      await setup.nest?.(join(c2, 'rootfs/machines/inner'))
      await pool.deleteInstance('default', 'c3')
      await pool.deleteInstance('default', 'c2')
      assert.deepEqual(await readdir(join(ctx.mountPath, 'containers')), [])
      assert.deepEqual(await readdir(join(ctx.mountPath, 'containers-snapshots')), [])
    })

    test(`${name}: deleteImageVolume() drops the cached image`, async () => {
      await pool.deleteImageVolume(fp)
      assert.deepEqual(await readdir(join(ctx.mountPath, 'images')), [])
    })

    test(`${name}: unmount() then mount() keeps the pool's content`, async () => {
      await create('c4')
      await setup.driver.unmount(ctx)
      await setup.driver.mount(ctx)
      await setup.driver.mount(ctx)
      assert.ok(await exists(join(pool.instancePath('default', 'c4'), 'rootfs/big')))
      await pool.deleteInstance('default', 'c4')
    })

    test(`${name}: an instance volume is private while an image is unpacked into it and once made`, async () => {
      const fingerprint = 'ef'.repeat(32)
      let reachable: boolean | undefined
      await pool.createInstanceFromImage({
        project: 'default',
        instance: 'private',
        fingerprint,
        async unpack(dir) {
          await fakeUnpack().unpack(dir)
          await writeFile(join(dir, 'rootfs/setuid'), '', { mode: 0o4755 })
          await chmod(dir, 0o755) // as tar does when the image holds a "./" entry
          reachable = await othersReach(ctx.mountPath, join(dir, 'rootfs/setuid'))
        },
      })
      assert.equal(reachable, false, 'no other user can reach the files while they are unpacked')
      const volume = pool.instancePath('default', 'private')
      assert.equal((await stat(volume)).mode & 0o777, 0o700, 'the new volume is 0700 until its owner is set')
      assert.equal(await othersReach(ctx.mountPath, join(volume, 'rootfs/setuid')), false)
      assert.deepEqual(
        (await readdir(join(ctx.mountPath, 'containers'))).filter((e) => e.startsWith('.')),
        [],
        'no staging directory is left',
      )
      await pool.deleteInstance('default', 'private')
      await pool.deleteImageVolume(fingerprint)
    })

    const crashes: [CrashPoint, string][] = [
      ['copied', 'old'],
      ['set aside', 'old'],
      ['swapped', 'snap'],
      ['deleting old', 'snap'],
    ]
    for (const [i, [point, expected]] of crashes.entries()) {
      test(`${name}: a restore killed once ${point} restarts with the ${expected} content and no leftovers`, async () => {
        const inst = `k${i}`
        const dir = pool.instancePath('default', inst)
        await create(inst)
        await writeFile(join(dir, 'rootfs/marker'), 'snap\n')
        await pool.createSnapshot('default', inst, 'snap0')
        await writeFile(join(dir, 'rootfs/marker'), 'old\n')
        const crash = crashingAt(setup.driver, point)
        void makePool(crash.driver, ctx, crash.fs)
          .restoreSnapshot('default', inst, 'snap0')
          .catch(() => undefined)
        await crash.reached
        // The daemon restarts: a fresh pool sweeps what the killed one left.
        const restarted = makePool(setup.driver, ctx)
        assert.deepEqual(await restarted.recover(), [inst])
        assert.equal(await readFile(join(dir, 'rootfs/marker'), 'utf8'), `${expected}\n`)
        assert.equal((await stat(join(dir, 'rootfs/big'))).size, bigSize)
        const left = (await readdir(join(ctx.mountPath, 'containers'))).filter((e) => e.startsWith('.'))
        assert.deepEqual(left, [])
        assert.deepEqual(await restarted.recover(), [], 'a second sweep finds nothing')
        await restarted.restoreSnapshot('default', inst, 'snap0')
        assert.equal(await readFile(join(dir, 'rootfs/marker'), 'utf8'), 'snap\n')
        await restarted.deleteInstance('default', inst)
      })
    }

    test(`${name}: the next restore of a volume finishes what a killed restore left`, async () => {
      const dir = pool.instancePath('p1', 'k9')
      await create('k9', 'p1')
      await writeFile(join(dir, 'rootfs/marker'), 'snap\n')
      await pool.createSnapshot('p1', 'k9', 'snap0')
      await writeFile(join(dir, 'rootfs/marker'), 'old\n')
      const crash = crashingAt(setup.driver, 'set aside')
      void makePool(crash.driver, ctx, crash.fs)
        .restoreSnapshot('p1', 'k9', 'snap0')
        .catch(() => undefined)
      await crash.reached
      assert.deepEqual(
        (await readdir(join(ctx.mountPath, 'containers'))).sort(),
        ['.old.p1_k9', '.restore.p1_k9'],
        'killed between the renames: no volume under its name',
      )
      await makePool(setup.driver, ctx).restoreSnapshot('p1', 'k9', 'snap0')
      assert.equal(await readFile(join(dir, 'rootfs/marker'), 'utf8'), 'snap\n')
      assert.deepEqual(await readdir(join(ctx.mountPath, 'containers')), ['p1_k9'])
      await pool.deleteInstance('p1', 'k9')
    })

    test(`${name}: delete() leaves nothing behind`, async () => {
      await setup.driver.delete(ctx)
      assert.equal(await exists(ctx.mountPath), false)
      await setup.assertGone?.(ctx)
    })
  })
}
