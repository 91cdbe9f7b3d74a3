/** @module lxc's tables: bordered (table), borderless (compact) and CSV renderings of rows. */

/** Rows of cells under a header; a cell may hold several lines. */
export interface TableData {
  header: string[]
  rows: string[][]
}

const wide: [number, number][] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
]

/** Terminal columns a character takes: 2 for East Asian wide ones, 0 for combining marks. */
function charWidth(c: string): number {
  const cp = c.codePointAt(0)!
  if (/\p{Mn}/u.test(c)) return 0
  return wide.some(([lo, hi]) => cp >= lo && cp <= hi) ? 2 : 1
}

/** Display width of a string in terminal columns (go-runewidth's rule, simplified). */
export function displayWidth(s: string): number {
  let w = 0
  for (const c of s) w += charWidth(c)
  return w
}

const width = displayWidth
const padRight = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - width(s)))
function center(s: string, w: number): string {
  const gap = Math.max(0, w - width(s))
  const left = Math.floor(gap / 2)
  return ' '.repeat(left) + s + ' '.repeat(gap - left)
}

function columnWidths(data: TableData): number[] {
  return data.header.map((h, i) =>
    Math.max(width(h), ...data.rows.map((r) => Math.max(0, ...(r[i] ?? '').split('\n').map(width)))),
  )
}

/** Splits a row of multi-line cells into physical lines. */
function rowLines(row: string[], columns: number): string[][] {
  const cells = Array.from({ length: columns }, (_, i) => (row[i] ?? '').split('\n'))
  const height = Math.max(1, ...cells.map((c) => c.length))
  return Array.from({ length: height }, (_, line) => cells.map((c) => c[line] ?? ''))
}

/** The bordered table lxc prints by default, with a rule between rows. */
export function renderTable(data: TableData): string {
  const widths = columnWidths(data)
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+\n`
  const line = (cells: string[], pad: (s: string, w: number) => string): string =>
    `|${cells.map((c, i) => ` ${pad(c, widths[i]!)} `).join('|')}|\n`
  let out = rule + line(data.header, center) + rule
  for (const row of data.rows) {
    for (const cells of rowLines(row, widths.length)) out += line(cells, padRight)
    out += rule
  }
  return out
}

/** The borderless `compact` table. */
export function renderCompact(data: TableData): string {
  const widths = columnWidths(data)
  const line = (cells: string[], pad: (s: string, w: number) => string): string =>
    ` ${cells.map((c, i) => ` ${pad(c, widths[i]!)} `).join('')} \n`
  let out = line(data.header, center)
  for (const row of data.rows) for (const cells of rowLines(row, widths.length)) out += line(cells, padRight)
  return out
}

/** CSV as Go's encoding/csv writes it (no header). */
export function renderCsv(data: TableData): string {
  return data.rows.map((r) => `${r.map(csvField).join(',')}\n`).join('')
}

function csvField(field: string): string {
  if (field === '') return field
  const needsQuotes = field === '\\.' || /[",\r\n]/.test(field) || /^\s/u.test(field)
  return needsQuotes ? `"${field.replaceAll('"', '""')}"` : field
}

/** Compares strings with digit runs by value ("p2" before "p10"), as lxc sorts table rows. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g
  const pa = a.match(re) ?? []
  const pb = b.match(re) ?? []
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!
    const y = pb[i]!
    if (x === y) continue
    const nx = /^\d/.test(x)
    const ny = /^\d/.test(y)
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y)
    return x < y ? -1 : 1
  }
  return pa.length - pb.length
}

/** Sorts rows by their cells, column by column, naturally. */
export function sortRows(rows: string[][]): string[][] {
  return [...rows].sort((r1, r2) => {
    for (let i = 0; i < Math.max(r1.length, r2.length); i++) {
      const c = naturalCompare(r1[i] ?? '', r2[i] ?? '')
      if (c !== 0) return c
    }
    return 0
  })
}
