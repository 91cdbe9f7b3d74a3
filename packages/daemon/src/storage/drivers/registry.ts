/** @module THE list of storage drivers. */
import { badRequest } from '@corral/api'
import { btrfsDriver } from './btrfs/driver.js'
import { dirDriver } from './dir/driver.js'
import type { StorageDriver } from './driver.js'

/** Every storage driver, one line each. */
export const storageDrivers: readonly StorageDriver[] = [dirDriver, btrfsDriver]

/** Finds a driver by name; 400 for an unknown one. */
export function findStorageDriver(name: string): StorageDriver {
  const driver = storageDrivers.find((d) => d.name === name)
  if (!driver) throw badRequest(`Storage pool driver "${name}" is not supported`)
  return driver
}
