/** @module The `--format` flag of list commands: table, csv, json, yaml, compact. */
import { goJson } from './json.js'
import { renderCompact, renderCsv, renderTable, sortRows, type TableData } from './table.js'
import { toYaml } from './yaml.js'

/** The list formats lxc 5.0.2 accepts. */
export const listFormats = ['csv', 'json', 'table', 'yaml', 'compact'] as const
/** One list format. */
export type ListFormat = (typeof listFormats)[number]

/** A list result: the raw objects for json/yaml, and the rows for the tabular formats. */
export interface ListData extends TableData {
  /** The objects as Go would marshal them (Maps for structs). */
  raw: unknown[]
}

/** Renders a list in a format; tabular formats sort rows naturally as lxc does. */
export function renderList(data: ListData, format: string): string {
  const sorted = { header: data.header, rows: sortRows(data.rows) }
  switch (format) {
    case 'table':
      return renderTable(sorted)
    case 'compact':
      return renderCompact(sorted)
    case 'csv':
      return renderCsv(sorted)
    case 'json':
      return `${goJson(data.raw)}\n`
    case 'yaml':
      return toYaml(data.raw)
    default:
      throw new Error(`Invalid format "${format}"`)
  }
}
