/** @module System tier (root): the storage contract on the dir and btrfs drivers, real directories and a real btrfs loop file. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hostRunner } from '../../src/host/runner.js'
import { storageContract } from './driver.contract.js'
import type { DriverContext } from '../../src/storage/drivers/driver.js'
import { btrfsDriver } from '../../src/storage/drivers/btrfs/driver.js'
import { dirDriver } from '../../src/storage/drivers/dir/driver.js'
import { poolMountPath } from '../../src/storage/volumes.js'

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' })
const shOk = (cmd: string, args: string[]): boolean => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function context(driver: string, config: Record<string, string> = {}): DriverContext {
  const stateDir = mkdtempSync(join(tmpdir(), `corral-storage-${driver}-`))
  const pool = `t${process.pid}`
  return { host: hostRunner, pool, config, stateDir, mountPath: poolMountPath(stateDir, pool) }
}

/** Unmounts only our own mount point and detaches only loops on our own file, then removes the temp dir. */
function cleanup(ctx: DriverContext): void {
  if (shOk('mountpoint', ['-q', ctx.mountPath])) sh('umount', [ctx.mountPath])
  const source = ctx.config.source
  if (source?.startsWith(ctx.stateDir) && existsSync(source)) {
    for (const dev of sh('losetup', ['-j', source, '-O', 'NAME', '-n']).split('\n').filter(Boolean))
      shOk('losetup', ['-d', dev.trim()])
  }
  if (!shOk('mountpoint', ['-q', ctx.mountPath])) rmSync(ctx.stateDir, { recursive: true, force: true })
}

storageContract('dir', {
  driver: dirDriver,
  context: () => context('dir'),
  cleanup,
})

const btrfsSkip =
  process.getuid?.() !== 0
    ? 'btrfs contract needs root (loop devices and mounts)'
    : !shOk('which', ['mkfs.btrfs'])
      ? 'mkfs.btrfs is missing (scripts/install-deps.sh installs btrfs-progs)'
      : !readFileSync('/proc/filesystems', 'utf8').includes('btrfs')
        ? 'the kernel has no btrfs filesystem'
        : undefined
if (btrfsSkip) console.log(`# skipping btrfs storage contract: ${btrfsSkip}`)

storageContract(
  'btrfs',
  {
    driver: btrfsDriver,
    context: () => context('btrfs', { size: '1GiB' }),
    cleanup,
    assertShared(_ctx, image, instance) {
      const show = sh('btrfs', ['subvolume', 'show', instance])
      const imageUuid = /^\s*UUID:\s*(\S+)/m.exec(sh('btrfs', ['subvolume', 'show', image]))?.[1]
      assert.match(
        show,
        new RegExp(`Parent UUID:\\s*${imageUuid}`),
        'the instance is a snapshot of the image',
      )
      const du = sh('btrfs', ['filesystem', 'du', '-s', '--raw', instance]).trim().split('\n').at(-1)!
      const [total, exclusive] = du.trim().split(/\s+/).map(Number)
      assert.ok(total! >= 50 * 2 ** 20, `total ${total}`)
      assert.ok(exclusive! < 1 * 2 ** 20, `exclusive ${exclusive} bytes: the 50 MB file is shared`)
    },
    nest(path) {
      sh('btrfs', ['subvolume', 'create', path])
    },
    async assertReadOnly(path) {
      await assert.rejects(writeFile(path, 'x'), { code: 'EROFS' })
    },
    assertGone(ctx) {
      assert.equal(existsSync(ctx.config.source!), false, 'the loop file is removed')
      assert.equal(shOk('findmnt', ['-n', ctx.mountPath]), false, 'nothing is mounted there')
      assert.doesNotMatch(sh('losetup', ['-a']), new RegExp(ctx.stateDir), 'no loop device is left')
    },
  },
  btrfsSkip,
)
