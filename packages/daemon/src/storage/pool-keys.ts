/** @module Pool key helpers: LXD's messages for pool config, byte sizes, path validators. */
import { defineKeys, type KeyDef, type KeySet } from '../config/key.js'
import { isSize, type Validator } from '../config/validate.js'

/** Declares a driver's pool keys with LXD's pool config messages. */
export function definePoolKeys(driver: string, keys: Record<string, KeyDef>): KeySet {
  return defineKeys(`storage-${driver}`, keys, {
    unknown: (key) => `Invalid option "${key}"`,
    invalid: (key, _value, reason) => `Invalid value for option "${key}": ${reason}`,
  })
}

const units: Record<string, number> = {
  '': 1,
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  EB: 1e18,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
  EiB: 2 ** 60,
}

/** Parses a byte size such as `5GiB` or `512MB` into bytes; throws on a bad size. */
export function parseSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(value)
  const unit = m ? units[m[2] ?? ''] : undefined
  if (!m || unit === undefined) throw new Error(`Invalid value "${value}" (not a size)`)
  return Math.floor(Number(m[1]) * unit)
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
