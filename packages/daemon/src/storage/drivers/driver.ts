/** @module The storage driver interface: host-only primitives on a pool's mount and its volumes. */
import type { CommandRunner } from '../../host/runner.js'
import type { KeySet } from '../../config/key.js'

/** What a driver works with: the host seam, the pool's name, config and places. No DB. */
export interface DriverContext {
  host: CommandRunner
  /** The pool's name. */
  pool: string
  /** The pool's config, defaults filled in. */
  config: Record<string, string>
  /** Where the pool is mounted: `<state dir>/storage-pools/<pool>`. */
  mountPath: string
  /** The daemon's state directory (loop files live in `<dir>/disks`). */
  stateDir: string
}

/** A storage driver. Volume paths are absolute paths inside the pool's mount. */
export interface StorageDriver {
  name: string
  /** The pool config keys this driver accepts. */
  keys: KeySet
  /** Keys that cannot change once the pool exists. */
  immutableKeys: readonly string[]
  /** Keys a PUT that leaves them out keeps (filled at create: source, size). */
  keptKeys: readonly string[]
  /** True when an image is unpacked once per pool and each instance is a copy of that image volume. */
  cachesImages: boolean
  /** True when those copies are copy-on-write snapshots (btrfs): cheap, consistent, and LXD lists the image volumes. */
  copyOnWrite: boolean
  /** Returns the config with defaults filled in (source, size), checking cross-key rules. */
  fillDefaults(ctx: DriverContext): Record<string, string>
  /** Creates the pool's backing storage and mounts it; undoes itself on failure. */
  create(ctx: DriverContext): Promise<void>
  /** Unmounts the pool and removes the backing storage it created. */
  delete(ctx: DriverContext): Promise<void>
  /** Mounts the pool if it is not mounted. */
  mount(ctx: DriverContext): Promise<void>
  /** Unmounts the pool if it is mounted. */
  unmount(ctx: DriverContext): Promise<void>
  /** Applies changed keys to a live pool (remount with new options, grow); ctx holds the new config. */
  update?(ctx: DriverContext, changed: readonly string[], previous: Record<string, string>): Promise<void>
  /** Creates an empty, writable volume at path. */
  createVolume(ctx: DriverContext, path: string): Promise<void>
  /** Makes dst a copy of src; readOnly for snapshots and cached images. */
  copyVolume(ctx: DriverContext, src: string, dst: string, opts: { readOnly: boolean }): Promise<void>
  /** Marks a volume read-only (cached image volumes), where the driver can. */
  setReadOnly(ctx: DriverContext, path: string): Promise<void>
  /** Limits a volume's size (custom volume `size`); drivers without quotas leave it out and `size` is refused. */
  setQuota?(ctx: DriverContext, path: string, bytes: number): Promise<void>
  /** Removes a volume and everything in it; no error when absent. */
  deleteVolume(ctx: DriverContext, path: string): Promise<void>
}
