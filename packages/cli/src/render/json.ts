/** @module JSON as Go's encoding/json writes it: struct order, sorted maps, HTML-safe escapes. */
import { GoTime } from './go-value.js'

/** Options for goJson. */
export interface GoJsonOptions {
  /** Indent string for MarshalIndent (`\t` for lxc query); compact when absent. */
  indent?: string
  /** Keep object key order as given (json.RawMessage passthrough) instead of sorting. */
  keepOrder?: boolean
}

/** Serialises like json.Marshal / json.MarshalIndent (Maps keep order, objects sort by key). */
export function goJson(value: unknown, opts: GoJsonOptions = {}): string {
  return encode(value, opts, 0)
}

function encode(value: unknown, opts: GoJsonOptions, depth: number): string {
  if (value instanceof GoTime) return quote(value.text)
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return quote(value)
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value)
  const nl = opts.indent === undefined ? '' : `\n${opts.indent.repeat(depth + 1)}`
  const end = opts.indent === undefined ? '' : `\n${opts.indent.repeat(depth)}`
  const colon = opts.indent === undefined ? ':' : ': '
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[${value.map((v) => nl + encode(v, opts, depth + 1)).join(',')}${end}]`
  }
  const entries =
    value instanceof Map
      ? [...(value as Map<string, unknown>).entries()]
      : Object.entries(value as Record<string, unknown>)
  if (!(value instanceof Map) && !opts.keepOrder) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const kept = entries.filter(([, v]) => v !== undefined)
  if (kept.length === 0) return '{}'
  return `{${kept.map(([k, v]) => `${nl}${quote(k)}${colon}${encode(v, opts, depth + 1)}`).join(',')}${end}}`
}

/** Quotes a string with Go's escapes (`<`, `>`, `&`, U+2028, U+2029 as \u sequences). */
export function quote(s: string): string {
  let out = '"'
  for (const c of s) {
    const cp = c.codePointAt(0)!
    if (c === '"' || c === '\\') out += `\\${c}`
    else if (c === '\n') out += '\\n'
    else if (c === '\r') out += '\\r'
    else if (c === '\t') out += '\\t'
    else if (cp < 0x20 || c === '<' || c === '>' || c === '&' || cp === 0x2028 || cp === 0x2029)
      out += `\\u${cp.toString(16).padStart(4, '0')}`
    else out += c
  }
  return `${out}"`
}
