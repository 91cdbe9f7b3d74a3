/** @module How go-yaml v2 (LXD's YAML library) picks a string's style: plain, quoted or literal. */

/** The four styles a scalar can take in block output. */
export type ScalarStyle = 'plain' | 'single' | 'double' | 'literal'

const mapped = new Set(
  'y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF ~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF'.split(
    ' ',
  ),
)
const intLike = /^[-+]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|[0-9]+)$/
const floatLike = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/
const base60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/
const timestamp =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?$/

/** True when go-yaml v2 would read the unquoted text back as a string (not a bool, number, null, time). */
export function resolvesToString(s: string): boolean {
  if (s === '' || mapped.has(s)) return false
  const c = s[0]!
  if (c === '.') return !/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s)
  if (c !== '+' && c !== '-' && !(c >= '0' && c <= '9')) return true
  if (timestamp.test(s) && validDate(s)) return false
  const plain = s.replaceAll('_', '')
  return !(intLike.test(plain) || floatLike.test(plain))
}

function validDate(s: string): boolean {
  const [y, m, d] = s
    .slice(0, 10)
    .split(/[-Tt ]/)
    .map(Number) as [number, number, number]
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate()
}

/** Code point predicates from libyaml. */
export const isSpace = (c: string | undefined): boolean => c === ' '
/** A line break character. */
export const isBreak = (c: string | undefined): boolean =>
  c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029'
/** Blank, break or end of text. */
export const isBlankz = (c: string | undefined): boolean =>
  c === undefined || c === ' ' || c === '\t' || c === '\0' || isBreak(c)

/** Printable in libyaml's sense (no tab, no C1, nothing outside the BMP). */
export function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0)!
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  )
}

interface Analysis {
  blockPlain: boolean
  single: boolean
  block: boolean
}

function analyze(chars: string[]): Analysis {
  if (chars.length === 0) return { blockPlain: true, single: true, block: false }
  const text = chars.join('')
  let blockIndicators = text.startsWith('---') || text.startsWith('...')
  let special = false
  let leadingSpace = false
  let leadingBreak = false
  let trailingSpace = false
  let trailingBreak = false
  let breakSpace = false
  let spaceBreak = false
  let lineBreaks = false
  let prevSpace = false
  let prevBreak = false
  let precededByWs = true
  let followedByWs = isBlankz(chars[1])
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true
      if ((c === '?' || c === ':' || c === '-') && followedByWs) blockIndicators = true
    } else if ((c === ':' && followedByWs) || (c === '#' && precededByWs)) blockIndicators = true
    if (!isPrintable(c)) special = true
    const last = i === chars.length - 1
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true
      if (last) trailingSpace = true
      if (prevBreak) breakSpace = true
      prevSpace = true
      prevBreak = false
    } else if (isBreak(c)) {
      lineBreaks = true
      if (i === 0) leadingBreak = true
      if (last) trailingBreak = true
      if (prevSpace) spaceBreak = true
      prevSpace = false
      prevBreak = true
    } else {
      prevSpace = false
      prevBreak = false
    }
    precededByWs = isBlankz(c)
    followedByWs = isBlankz(chars[i + 2])
  }
  let blockPlain = true
  let single = true
  let block = true
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false
  if (trailingSpace) block = false
  if (breakSpace) blockPlain = single = false
  if (spaceBreak || special) blockPlain = single = block = false
  if (lineBreaks || blockIndicators) blockPlain = false
  return { blockPlain, single, block }
}

/** The style go-yaml v2 emits a string in, in block context (`simpleKey` for mapping keys). */
export function scalarStyle(s: string, simpleKey = false): ScalarStyle {
  let style: ScalarStyle = s.includes('\n')
    ? 'literal'
    : resolvesToString(s) && !base60.test(s)
      ? 'plain'
      : 'double'
  const a = analyze([...s])
  if (style === 'plain') {
    if (!a.blockPlain) style = 'single'
    if (s === '' && simpleKey) style = 'single'
  }
  if (style === 'single' && !a.single) style = 'double'
  if (style === 'literal' && (!a.block || simpleKey)) style = 'double'
  return style
}
