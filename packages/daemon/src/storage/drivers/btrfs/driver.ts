/** @module The btrfs driver: a loop file formatted btrfs; volumes are subvolumes, copies are snapshots. */
import { chmod, mkdir, open, rmdir, stat, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { badRequest } from '@corral/api'
import { Reverter } from '../../../util/revert.js'
import { definePoolKeys, isAbsolutePath, isSizeAtLeast, parseSize } from '../../pool-keys.js'
import type { DriverContext, StorageDriver } from '../driver.js'
import { createLayout, isMountPoint, removeTree, unmountIfMounted } from '../mounts.js'
import { deleteSubvolume, isSubvolume } from './subvolumes.js'

const keys = definePoolKeys('btrfs', {
  size: {
    type: 'string',
    default: '5GiB',
    validate: isSizeAtLeast(128 * 2 ** 20, '128MiB'),
    short: 'Size of the loop file (created sparse)',
  },
  source: {
    type: 'string',
    validate: isAbsolutePath,
    defaultText: '<state dir>/disks/<pool>.img',
    short: 'Path of the loop file to create',
  },
  'btrfs.mount_options': {
    type: 'string',
    default: 'user_subvol_rm_allowed',
    short: 'Mount options for the pool filesystem',
  },
})

const mountOptions = (ctx: DriverContext): string =>
  ['loop', keys.get(ctx.config, 'btrfs.mount_options')].join(',')

async function mountLoop(ctx: DriverContext): Promise<void> {
  await mkdir(ctx.mountPath, { recursive: true, mode: 0o711 })
  if (await isMountPoint(ctx.host, ctx.mountPath)) return
  // mount -o loop sets autoclear: the loop device goes away with the unmount.
  await ctx.host.run('mount', ['-t', 'btrfs', '-o', mountOptions(ctx), ctx.config.source!, ctx.mountPath])
}

/** Detaches loop devices still bound to our loop file (autoclear normally did it). */
async function detachLoops(ctx: DriverContext): Promise<void> {
  const { stdout } = await ctx.host.run('losetup', ['-j', ctx.config.source!, '-O', 'NAME', '-n'])
  for (const dev of stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean))
    await ctx.host.run('losetup', ['-d', dev]).catch(() => undefined)
}

/** Grows the loop file, its loop device and the filesystem to the new size; shrinking is refused. */
async function growLoop(ctx: DriverContext, previous: string): Promise<void> {
  const size = parseSize(keys.get(ctx.config, 'size'))
  const current = (await stat(ctx.config.source!)).size
  if (previous && size < parseSize(previous)) throw badRequest('Pool cannot be shrunk')
  if (size <= current) return
  const file = await open(ctx.config.source!, 'r+')
  await file.truncate(size).finally(() => file.close())
  const { stdout } = await ctx.host.run('losetup', ['-j', ctx.config.source!, '-O', 'NAME', '-n'])
  for (const dev of stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean))
    await ctx.host.run('losetup', ['-c', dev])
  if (await isMountPoint(ctx.host, ctx.mountPath))
    await ctx.host.run('btrfs', ['filesystem', 'resize', 'max', ctx.mountPath])
}

/** The btrfs storage driver. */
export const btrfsDriver: StorageDriver = {
  name: 'btrfs',
  keys,
  immutableKeys: ['source'],
  keptKeys: ['source', 'size'],
  cachesImages: true,
  copyOnWrite: true,
  fillDefaults: (ctx) => ({
    ...ctx.config,
    size: keys.get(ctx.config, 'size'),
    source: ctx.config.source || join(ctx.stateDir, 'disks', `${ctx.pool}.img`),
  }),

  async create(ctx) {
    const source = ctx.config.source!
    if (await stat(source).catch(() => undefined)) throw badRequest(`Source path "${source}" already exists`)
    const revert = new Reverter()
    try {
      await mkdir(dirname(source), { recursive: true, mode: 0o700 })
      const file = await open(source, 'wx', 0o600)
      revert.add(() => unlink(source))
      await file.truncate(parseSize(ctx.config.size!)).finally(() => file.close())
      await ctx.host.run('mkfs.btrfs', ['-q', '-L', ctx.pool, source])
      await mkdir(ctx.mountPath, { recursive: true, mode: 0o711 })
      revert.add(() => rmdir(ctx.mountPath))
      await mountLoop(ctx)
      revert.add(() => detachLoops(ctx))
      revert.add(() => ctx.host.run('umount', [ctx.mountPath]))
      await createLayout(ctx.mountPath)
      revert.success()
    } finally {
      await revert.fail()
    }
  },

  async delete(ctx) {
    await unmountIfMounted(ctx.host, ctx.mountPath)
    await detachLoops(ctx).catch(() => undefined)
    await unlink(ctx.config.source!).catch(() => undefined)
    await rmdir(ctx.mountPath).catch(() => undefined)
  },

  mount: mountLoop,

  async unmount(ctx) {
    await unmountIfMounted(ctx.host, ctx.mountPath)
  },

  async update(ctx, changed, previous) {
    if (changed.includes('size')) await growLoop(ctx, previous.size ?? '')
    if (changed.includes('btrfs.mount_options') && (await isMountPoint(ctx.host, ctx.mountPath))) {
      const opts = keys.get(ctx.config, 'btrfs.mount_options')
      await ctx.host.run('mount', ['-o', `remount,${opts}`, ctx.mountPath])
    }
  },

  async createVolume(ctx, path) {
    await ctx.host.run('btrfs', ['subvolume', 'create', path])
    // Private before anything is put in (btrfs makes it 0755); snapshots inherit the mode.
    await chmod(path, 0o700)
  },

  async copyVolume(ctx, src, dst, opts) {
    await ctx.host.run('btrfs', ['subvolume', 'snapshot', ...(opts.readOnly ? ['-r'] : []), src, dst])
  },

  async setReadOnly(ctx, path) {
    await ctx.host.run('btrfs', ['property', 'set', '-ts', path, 'ro', 'true'])
  },

  // Quota groups: enabled on the pool's file system at the first quota; 0 removes the limit.
  async setQuota(ctx, path, bytes) {
    await ctx.host.run('btrfs', ['quota', 'enable', ctx.mountPath])
    await ctx.host.run('btrfs', ['qgroup', 'limit', bytes > 0 ? String(bytes) : 'none', path])
  },

  async deleteVolume(ctx, path) {
    if (!(await stat(path).catch(() => undefined))) return
    if (await isSubvolume(path)) await deleteSubvolume(ctx, path)
    else await removeTree(path)
  },
}
