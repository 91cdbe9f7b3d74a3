/** @module The dir driver: volumes are plain directories; copies are full copies (reflinks where the filesystem has them). */
import { mkdir, rmdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { badRequest } from '@corral/api'
import { Reverter } from '../../../util/revert.js'
import { definePoolKeys, isAbsolutePath } from '../../pool-keys.js'
import type { DriverContext, StorageDriver } from '../driver.js'
import {
  createLayout,
  isEmptyDir,
  isMountPoint,
  poolLayout,
  removeTree,
  unmountIfMounted,
} from '../mounts.js'

const keys = definePoolKeys('dir', {
  source: {
    type: 'string',
    validate: isAbsolutePath,
    defaultText: 'the pool mount point',
    short: 'Path to an existing empty directory to hold the pool (bind-mounted)',
  },
})

const isBound = (ctx: DriverContext): boolean => ctx.config.source !== ctx.mountPath

async function bindMount(ctx: DriverContext): Promise<void> {
  await mkdir(ctx.mountPath, { recursive: true, mode: 0o711 })
  if (!(await isMountPoint(ctx.host, ctx.mountPath)))
    await ctx.host.run('mount', ['--bind', ctx.config.source!, ctx.mountPath])
}

/** The dir storage driver. */
export const dirDriver: StorageDriver = {
  name: 'dir',
  keys,
  immutableKeys: ['source'],
  keptKeys: ['source'],
  // The image is unpacked once per pool (images/<fingerprint>, private) and each instance is a
  // copy of it: `cp -a` of a tree costs a fraction of decompressing the image again, and ten
  // launches of one image share one unpack (docs/performance.md).
  cachesImages: true,
  // Full copies: LXD's dir pools list no image volumes, and a backup cannot snapshot one.
  copyOnWrite: false,
  fillDefaults: (ctx) => ({ ...ctx.config, source: ctx.config.source || ctx.mountPath }),

  async create(ctx) {
    const source = ctx.config.source!
    if (isBound(ctx)) {
      const st = await stat(source).catch(() => undefined)
      if (!st?.isDirectory()) throw badRequest(`Source path "${source}" isn't a directory`)
    }
    if (!(await isEmptyDir(source))) throw badRequest(`Source path "${source}" isn't empty`)
    if (!(await isEmptyDir(ctx.mountPath)))
      throw badRequest(`Storage pool directory "${ctx.mountPath}" isn't empty`)
    const revert = new Reverter()
    try {
      await mkdir(ctx.mountPath, { recursive: true, mode: 0o711 })
      revert.add(() => rmdir(ctx.mountPath))
      if (isBound(ctx)) {
        await bindMount(ctx)
        revert.add(() => ctx.host.run('umount', [ctx.mountPath]))
      }
      await createLayout(ctx.mountPath)
      revert.add(() => Promise.all(poolLayout.map((d) => removeTree(join(ctx.mountPath, d)))))
      revert.success()
    } finally {
      await revert.fail()
    }
  },

  async delete(ctx) {
    for (const d of poolLayout) await removeTree(join(ctx.mountPath, d))
    if (!isBound(ctx)) return removeTree(ctx.mountPath)
    await unmountIfMounted(ctx.host, ctx.mountPath)
    // rmdir, never a recursive remove: a failed unmount must not reach into the source.
    await rmdir(ctx.mountPath).catch(() => undefined)
  },

  async mount(ctx) {
    if (isBound(ctx)) await bindMount(ctx)
    else await mkdir(ctx.mountPath, { recursive: true, mode: 0o711 })
  },

  async unmount(ctx) {
    if (isBound(ctx)) await unmountIfMounted(ctx.host, ctx.mountPath)
  },

  // Volumes start private (0700): what is copied or unpacked in may hold setuid files, and the
  // caller sets the final owner and mode (a copy takes its source's with cp -a).
  async createVolume(_ctx, path) {
    await mkdir(path, { mode: 0o700 })
  },

  async copyVolume(ctx, src, dst) {
    await mkdir(dst, { mode: 0o700 })
    try {
      await ctx.host.run('cp', ['-a', '--reflink=auto', `${src}/.`, `${dst}/`], { timeoutMs: 3_600_000 })
    } catch (err) {
      await removeTree(dst)
      throw err
    }
  },

  async setReadOnly() {
    // A plain directory has no read-only flag; snapshots stay out of the instance's reach instead.
  },

  async deleteVolume(_ctx, path) {
    await removeTree(path)
  },
}
