/** @module Pool key helpers: LXD's messages for pool config, byte sizes, path validators. */
import { defineKeys, type KeyDef, type KeySet } from '../config/key.js'
import { isSize, type Validator } from '../config/validate.js'
import { parseSize } from '../util/size.js'

export { parseSize }

/** Declares a driver's pool keys with LXD's pool config messages. */
export function definePoolKeys(driver: string, keys: Record<string, KeyDef>): KeySet {
  return defineKeys(`storage-${driver}`, keys, {
    unknown: (key) => `Invalid option "${key}"`,
    invalid: (key, _value, reason) => `Invalid value for option "${key}": ${reason}`,
  })
}

/** A byte size of at least `min` bytes. */
export const isSizeAtLeast =
  (min: number, minText: string): Validator =>
  (value) => {
    isSize(value)
    if (parseSize(value) < min) throw new Error(`Size must be at least ${minText}`)
  }

/** An absolute path without `..` components. */
export const isAbsolutePath: Validator = (value) => {
  if (!value.startsWith('/') || value.split('/').includes('..'))
    throw new Error(`"${value}" is not an absolute path`)
}
