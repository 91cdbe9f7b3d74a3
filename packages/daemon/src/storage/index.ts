/** @module Storage: pools, their drivers and the Pool seam instances use. */
export { loadPool, mountPools, type Pool } from './pool.js'
export * as storagePools from './service.js'
export { storageDrivers, findStorageDriver } from './drivers/registry.js'
export { volumeName } from './volumes.js'
