/** @module Small pure validators for LXD's string-typed config values; each throws a short reason. */
import { parseDuration } from '../util/duration.js'

/** Checks one config value; throws an Error whose message is the reason, without the key. */
export type Validator = (value: string) => void

/** Accepts the empty string (unset), else applies the validator. */
export const optional =
  (inner: Validator): Validator =>
  (value) => {
    if (value !== '') inner(value)
  }

/** Requires every validator to pass. */
export const and =
  (...all: Validator[]): Validator =>
  (value) => {
    for (const v of all) v(value)
  }

/** Requires one of the values. */
export const isOneOf =
  (...choices: string[]): Validator =>
  (value) => {
    if (!choices.includes(value))
      throw new Error(`Invalid value "${value}" (not one of ${JSON.stringify(choices)})`)
  }

const bools = ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']

/** LXD's boolean spellings. */
export const isBool: Validator = (value) => {
  if (!bools.includes(value.toLowerCase())) throw new Error(`Invalid value for a boolean "${value}"`)
}

/** A signed 64-bit integer in decimal. */
export const isInt64: Validator = (value) => {
  if (!/^-?\d+$/.test(value)) throw new Error(`Invalid value for an integer "${value}"`)
  const n = BigInt(value)
  if (n > 9223372036854775807n || n < -9223372036854775808n)
    throw new Error(`Invalid value for an integer "${value}"`)
}

/** An unsigned integer within [min, max]. */
export const isInRange =
  (min: number, max: number): Validator =>
  (value) => {
    isInt64(value)
    const n = Number(value)
    if (n < min || n > max) throw new Error(`Value must be between ${min} and ${max}`)
  }

/** A number of CPUs, a range list (`0-3,5`) or an integer count. */
export const isCpuSet: Validator = (value) => {
  if (!/^\d+$/.test(value) && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(value)) {
    throw new Error(`Invalid CPU limit syntax "${value}"`)
  }
}

const sizeUnits = ['', 'B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB']

/** A byte size such as `512MiB` or `2GB`. */
export const isSize: Validator = (value) => {
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(value)
  if (!m || !sizeUnits.includes(m[2] ?? '')) throw new Error(`Invalid value "${value}" (not a size)`)
}

/** A byte size or a percentage (`limits.memory`). */
export const isSizeOrPercent: Validator = (value) => {
  if (/^\d+(\.\d+)?%$/.test(value)) return
  isSize(value)
}

/** A duration as LXD writes it (`15d`, `4h`, `1d 2h`), by the one parser the daemon uses. */
export const isDuration: Validator = (value) => void parseDuration(value)

/** `host`, `host:port`, `[v6]:port`, or a bare `:port`; port 1–65535. */
export const isListenAddress: Validator = (value) => {
  let host = value
  let port: string | undefined
  const v6 = /^\[([0-9a-fA-F:.%a-z]*)\](?::(\d+))?$/.exec(value)
  if (v6) {
    host = v6[1] ?? ''
    port = v6[2]
  } else if (value.includes(':') && value.indexOf(':') === value.lastIndexOf(':')) {
    ;[host, port] = value.split(':') as [string, string]
  } else if (value.includes(':')) {
    throw new Error(`Invalid address "${value}" (an IPv6 address needs brackets)`)
  }
  if (port !== undefined && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    throw new Error(`Invalid port "${port}"`)
  }
  if (!v6 && host !== '' && !/^[A-Za-z0-9.-]+$/.test(host)) throw new Error(`Invalid address "${value}"`)
}

/** An absolute URL with http or https scheme. */
export const isHttpUrl: Validator = (value) => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`Invalid URL "${value}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`Invalid URL scheme "${url.protocol}"`)
}

/** A single-line value: no newline or other control character (it may end up in a config file line). */
export const isSingleLine: Validator = (value) => {
  if (/[\p{Cc}]/u.test(value.replace(/\t/g, '')))
    throw new Error('Value must not contain newlines or control characters')
}

/** Any string. */
export const isAny: Validator = () => {}

/** Parses LXD's boolean spellings. */
export function isTrue(value: string | undefined): boolean {
  return ['true', '1', 'yes', 'on'].includes((value ?? '').toLowerCase())
}
