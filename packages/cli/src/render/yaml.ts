/** @module A YAML writer that prints what LXD's go-yaml v2 prints: same styles, order, indentation and folding. */
import { GoTime, goSortKeys } from './go-value.js'
import { isBreak, isPrintable, isSpace, scalarStyle } from './yaml-scalar.js'

const bestWidth = 80
const bestIndent = 2

class Writer {
  out = ''
  column = 0
  whitespace = true
  indention = true

  put(c: string): void {
    this.out += c
    this.column++
  }
  putBreak(): void {
    this.out += '\n'
    this.column = 0
  }
  indent(indent: number): void {
    const target = Math.max(indent, 0)
    if (!this.indention || this.column > target || (this.column === target && !this.whitespace))
      this.putBreak()
    while (this.column < target) this.put(' ')
    this.whitespace = true
    this.indention = true
  }
  indicator(text: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ')
    for (const c of text) this.put(c)
    this.whitespace = isWhitespace
    this.indention = this.indention && isIndention
  }
}

/** Renders a value as go-yaml v2's `yaml.Marshal` would: Maps are structs, plain objects sorted maps. */
export function toYaml(value: unknown): string {
  const w = new Writer()
  emitNode(w, value, -1, { mappingContext: false, simpleKey: false })
  w.indent(-1)
  return w.out.endsWith('\n') ? w.out : `${w.out}\n`
}

interface NodeContext {
  mappingContext: boolean
  simpleKey: boolean
}

function entriesOf(value: object): [string, unknown][] {
  if (value instanceof Map) return [...(value as Map<string, unknown>).entries()]
  const rec = value as Record<string, unknown>
  return goSortKeys(Object.keys(rec)).map((k) => [k, rec[k]])
}

function emitNode(w: Writer, value: unknown, indent: number, ctx: NodeContext): void {
  if (Array.isArray(value)) {
    if (value.length === 0) return flowEmpty(w, '[]')
    return emitSequence(w, value, indent, ctx.mappingContext)
  }
  if (value !== null && typeof value === 'object' && !(value instanceof GoTime)) {
    const entries = entriesOf(value)
    if (entries.length === 0) return flowEmpty(w, '{}')
    return emitMapping(w, entries, indent)
  }
  emitScalar(w, value, indent < 0 ? bestIndent : indent + bestIndent, ctx.simpleKey)
}

function flowEmpty(w: Writer, text: string): void {
  w.indicator(text[0]!, true, true, false)
  w.indicator(text[1]!, false, false, false)
}

function emitSequence(w: Writer, items: unknown[], parent: number, mappingContext: boolean): void {
  const indent = parent < 0 ? 0 : mappingContext && !w.indention ? parent : parent + bestIndent
  for (const item of items) {
    w.indent(indent)
    w.indicator('-', true, false, true)
    emitNode(w, item, indent, { mappingContext: false, simpleKey: false })
  }
}

function emitMapping(w: Writer, entries: [string, unknown][], parent: number): void {
  const indent = parent < 0 ? 0 : parent + bestIndent
  for (const [key, value] of entries) {
    w.indent(indent)
    emitScalar(w, key, indent + bestIndent, true)
    w.indicator(':', false, false, false)
    emitNode(w, value, indent, { mappingContext: true, simpleKey: false })
  }
}

function emitScalar(w: Writer, value: unknown, indent: number, simpleKey: boolean): void {
  if (typeof value === 'string') return writeString(w, value, indent, simpleKey)
  writePlain(w, [...scalarText(value)], indent, false)
}

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (value instanceof GoTime) return value.text
  if (typeof value === 'number') return goFloat(value)
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return JSON.stringify(value)
}

/** Formats a number as Go's strconv.FormatFloat(f, 'g', -1, 64) (integers print plainly). */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return '.nan'
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf'
  const exp = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(n)))
  if (exp < -4 || exp >= 21) {
    const [m, e] = n.toExponential().split('e') as [string, string]
    const sign = e.startsWith('-') ? '-' : '+'
    const digits = e.replace(/^[-+]/, '')
    return `${m}e${sign}${digits.length < 2 ? `0${digits}` : digits}`
  }
  return String(n)
}

function writeString(w: Writer, s: string, indent: number, simpleKey: boolean): void {
  const chars = [...s]
  const style = scalarStyle(s, simpleKey)
  if (style === 'plain') return writePlain(w, chars, indent, !simpleKey)
  if (style === 'single') return writeSingle(w, chars, indent, !simpleKey)
  if (style === 'literal') return writeLiteral(w, chars, indent)
  return writeDouble(w, chars, indent, !simpleKey)
}

function writePlain(w: Writer, chars: string[], indent: number, allowBreaks: boolean): void {
  if (!w.whitespace) w.put(' ')
  let spaces = false
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (isSpace(c)) {
      if (allowBreaks && !spaces && w.column > bestWidth && !isSpace(chars[i + 1])) w.indent(indent)
      else w.put(c)
      spaces = true
    } else {
      w.put(c)
      w.indention = false
      spaces = false
    }
  }
  w.whitespace = false
  w.indention = false
}

function writeSingle(w: Writer, chars: string[], indent: number, allowBreaks: boolean): void {
  w.indicator("'", true, false, false)
  let spaces = false
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (isSpace(c)) {
      const fold = i > 0 && i < chars.length - 1 && !isSpace(chars[i + 1])
      if (allowBreaks && !spaces && w.column > bestWidth && fold) w.indent(indent)
      else w.put(c)
      spaces = true
    } else {
      if (c === "'") w.put("'")
      w.put(c)
      w.indention = false
      spaces = false
    }
  }
  w.indicator("'", false, false, false)
  w.whitespace = false
  w.indention = false
}

const escapes: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
}

function escapeOf(c: string): string {
  const cp = c.codePointAt(0)!
  const named = escapes[cp]
  if (named) return `\\${named}`
  const [letter, width] = cp <= 0xff ? ['x', 2] : cp <= 0xffff ? ['u', 4] : ['U', 8]
  return `\\${letter}${cp.toString(16).toUpperCase().padStart(width, '0')}`
}

function writeDouble(w: Writer, chars: string[], indent: number, allowBreaks: boolean): void {
  w.indicator('"', true, false, false)
  let spaces = false
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (!isPrintable(c) || isBreak(c) || c === '"' || c === '\\') {
      for (const e of escapeOf(c)) w.put(e)
      spaces = false
    } else if (isSpace(c)) {
      if (allowBreaks && !spaces && w.column > bestWidth && i > 0 && i < chars.length - 1) {
        w.indent(indent)
        if (isSpace(chars[i + 1])) w.put('\\')
      } else w.put(c)
      spaces = true
    } else {
      w.put(c)
      spaces = false
    }
  }
  w.indicator('"', false, false, false)
  w.whitespace = false
  w.indention = false
}

function writeLiteral(w: Writer, chars: string[], indent: number): void {
  w.indicator('|', true, false, false)
  if (isSpace(chars[0]) || isBreak(chars[0])) w.indicator(String(bestIndent), false, false, false)
  const last = chars.length - 1
  if (!isBreak(chars[last])) w.indicator('-', false, false, false)
  else if (last === 0 || isBreak(chars[last - 1])) w.indicator('+', false, false, false)
  w.putBreak()
  w.indention = true
  w.whitespace = true
  let breaks = true
  for (const c of chars) {
    if (isBreak(c)) {
      w.putBreak()
      w.indention = true
      breaks = true
    } else {
      if (breaks) {
        w.indent(indent)
        breaks = false
      }
      w.put(c)
      w.indention = false
    }
  }
}
