/** @module How a value is shaped for Go's encoders: struct order, sorted maps, timestamps. */

/** A Go struct: fields render in insertion order (a JS Map keeps it). */
export type GoStruct = Map<string, unknown>

/** A time.Time field: YAML renders it unquoted, JSON as a string. */
export class GoTime {
  /** The RFC 3339 text as the server sent it. */
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}

/** Builds a struct from a source object: `fields` in order, then any field the source has beyond them. */
export function struct(source: object, fields: readonly string[], convert: FieldConverters = {}): GoStruct {
  const rec = source as Record<string, unknown>
  const out: GoStruct = new Map()
  for (const f of fields) if (f in rec) out.set(f, convertField(f, rec[f], convert))
  for (const [k, v] of Object.entries(rec)) if (!out.has(k)) out.set(k, convertField(k, v, convert))
  return out
}

/** Per-field conversions applied by `struct`. */
export type FieldConverters = Record<string, (value: unknown) => unknown>

function convertField(name: string, value: unknown, convert: FieldConverters): unknown {
  const f = convert[name]
  return f ? f(value) : value
}

/** A nil Go map renders as `{}` in YAML. */
export const mapOrEmpty = (v: unknown): unknown => (v === null || v === undefined ? {} : v)
/** Marks a string as a Go time.Time. */
export const time = (v: unknown): unknown => (typeof v === 'string' ? new GoTime(v) : v)

/** Compares two map keys the way go-yaml v2 sorts them (letters after other runes, digit runs numerically). */
export function goKeyLess(a: string, b: string): boolean {
  const ar = [...a]
  const br = [...b]
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue
    const al = isLetter(ar[i]!)
    const bl = isLetter(br[i]!)
    if (al && bl) return ar[i]! < br[i]!
    if (al || bl) return bl
    let an = 0
    let bn = 0
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1
          bn = 1
          break
        }
      }
    }
    let ai = i
    let bi = i
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + Number(ar[ai])
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + Number(br[bi])
    if (an !== bn) return an < bn
    if (ai !== bi) return ai < bi
    return ar[i]! < br[i]!
  }
  return ar.length < br.length
}

/** Sorts map keys as go-yaml v2 does. */
export function goSortKeys(keys: string[]): string[] {
  return keys.sort((x, y) => (goKeyLess(x, y) ? -1 : goKeyLess(y, x) ? 1 : 0))
}

const isLetter = (c: string): boolean => /\p{L}/u.test(c)
const isDigit = (c: string): boolean => c >= '0' && c <= '9'
