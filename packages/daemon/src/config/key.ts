/** @module Config keys declared once as data: validation, metadata for docs, CLI help. */
import { badRequest } from '@corral/api'
import { isBool, isInt64, isAny, type Validator } from './validate.js'

/** One config key: its type, default, validator and documentation. */
export interface KeyDef {
  type: 'string' | 'bool' | 'integer'
  default?: string
  defaultText?: string
  validate?: Validator
  liveUpdate?: boolean
  short: string
  long?: string
}

/** How a key set reports a bad key; LXD words device, instance and server errors differently. */
export interface KeyMessages {
  unknown: (key: string) => string
  invalid: (key: string, value: string, reason: string) => string
}

/** A named set of keys with pattern keys (`user.*`) and one validate pass. */
export interface KeySet {
  entity: string
  keys: Readonly<Record<string, KeyDef>>
  /** Finds a key's definition, exact names first, then `prefix.*` patterns. */
  find(key: string): KeyDef | undefined
  /** Validates every key of a config map, throwing ApiError(400) on the first problem. */
  validate(config: Record<string, string>): void
  /** A key's value: as set, or its declared default when unset or empty (LXD: empty means unset). */
  get(config: Readonly<Record<string, string | undefined>>, key: string): string
}

const typeValidators: Record<KeyDef['type'], Validator> = { string: isAny, bool: isBool, integer: isInt64 }

/** Declares a key set; keys ending in `.*` match any suffix. */
export function defineKeys(entity: string, keys: Record<string, KeyDef>, messages: KeyMessages): KeySet {
  const patterns = Object.keys(keys)
    .filter((k) => k.endsWith('.*'))
    .map((k) => [k.slice(0, -1), keys[k]!] as const)
  const find = (key: string): KeyDef | undefined =>
    keys[key] ?? patterns.find(([p]) => key.startsWith(p))?.[1]
  return {
    entity,
    keys,
    find,
    get(config, key) {
      const def = find(key)
      if (!def) throw new Error(`Key "${key}" is not declared for ${entity}`)
      return config[key] || def.default || ''
    },
    validate(config) {
      for (const [key, value] of Object.entries(config)) {
        if (typeof value !== 'string')
          throw badRequest(messages.invalid(key, String(value), 'value must be a string'))
        // A prefix key (user.*, environment.*) names itself: no control character in its name.
        // eslint-disable-next-line no-control-regex -- the control characters are what this refuses
        if (/[\0-\x1f\x7f]/.test(key)) throw badRequest(messages.unknown(JSON.stringify(key)))
        const def = find(key)
        if (!def) throw badRequest(messages.unknown(key))
        if (value === '') continue
        try {
          typeValidators[def.type](value)
          def.validate?.(value)
        } catch (err) {
          throw badRequest(messages.invalid(key, value, err instanceof Error ? err.message : String(err)))
        }
      }
    },
  }
}
