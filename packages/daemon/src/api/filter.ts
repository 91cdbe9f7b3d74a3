/** @module LXD's `filter=` expressions (`name eq c1 and status ne Stopped`) over rendered objects. */
import { badRequest } from '@corral/api'

/** A parsed filter: clauses joined left to right by and/or. */
interface Clause {
  not: boolean
  field: string
  op: 'eq' | 'ne'
  value: string
  join: 'and' | 'or' | undefined
}

function tokenize(text: string): string[] {
  const tokens: string[] = []
  const re = /\s*(?:"([^"]*)"|'([^']*)'|(\S+))/g
  for (let m = re.exec(text); m && m[0].trim() !== ''; m = re.exec(text))
    tokens.push(m[1] ?? m[2] ?? m[3] ?? '')
  return tokens
}

/** Parses a filter; throws 400 on a malformed one. */
export function parseFilter(text: string): Clause[] {
  const tokens = tokenize(text)
  const clauses: Clause[] = []
  let i = 0
  while (i < tokens.length) {
    let not = false
    if (tokens[i]?.toLowerCase() === 'not') {
      not = true
      i++
    }
    const [field, op, value] = [tokens[i], tokens[i + 1]?.toLowerCase(), tokens[i + 2]]
    if (field === undefined || value === undefined || (op !== 'eq' && op !== 'ne')) {
      throw badRequest(`Invalid filter "${text}": expected "<field> eq|ne <value>"`)
    }
    i += 3
    const join = tokens[i]?.toLowerCase()
    if (join !== undefined && join !== 'and' && join !== 'or')
      throw badRequest(`Invalid filter "${text}": unexpected "${tokens[i]}"`)
    if (join !== undefined) i++
    clauses.push({ not, field, op, value, join })
  }
  return clauses
}

/** Finds a field by dotted path; map keys may themselves contain dots (`config.image.os`). */
function lookup(obj: unknown, parts: string[]): unknown {
  if (parts.length === 0) return obj
  if (obj === null || typeof obj !== 'object') return undefined
  const record = obj as Record<string, unknown>
  for (let n = parts.length; n >= 1; n--) {
    const key = parts.slice(0, n).join('.')
    if (key in record) return lookup(record[key], parts.slice(n))
  }
  return undefined
}

function holds(obj: unknown, c: Clause): boolean {
  const actual = lookup(obj, c.field.split('.'))
  const scalar = typeof actual === 'string' || typeof actual === 'number' || typeof actual === 'boolean'
  const equal = scalar && String(actual).toLowerCase() === c.value.toLowerCase()
  const result = c.op === 'eq' ? equal : !equal
  return c.not ? !result : result
}

/** True when the object passes the parsed filter (an empty filter passes everything). */
export function matchesFilter(obj: unknown, clauses: Clause[]): boolean {
  if (clauses.length === 0) return true
  let result = holds(obj, clauses[0]!)
  for (let i = 1; i < clauses.length; i++) {
    const value = holds(obj, clauses[i]!)
    result = clauses[i - 1]!.join === 'or' ? result || value : result && value
  }
  return result
}
