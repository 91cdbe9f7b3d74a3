/** @module What a command handler returns, and the renderer that turns it into output text. */
import { renderList, type ListData } from './format.js'
import { toYaml } from './yaml.js'

/** Data a command returns; `render` prints it. */
export type Result =
  | { kind: 'none'; warnings?: string[] }
  | { kind: 'text'; text: string; warnings?: string[]; exitCode?: number }
  | { kind: 'yaml'; value: unknown; warnings?: string[] }
  | { kind: 'list'; data: ListData; format: string; warnings?: string[] }
  | { kind: 'stream'; lines: AsyncIterable<string> }
  | { kind: 'exit'; code: number }

/** Nothing to print. */
export const none = (): Result => ({ kind: 'none' })
/** Literal text (include the trailing newline). */
export const text = (t: string): Result => ({ kind: 'text', text: t })
/** Literal text, then exit with a status (a check that found something). */
export const textThenExit = (t: string, code: number): Result => ({ kind: 'text', text: t, exitCode: code })
/** A value printed as go-yaml would. */
export const yaml = (value: unknown): Result => ({ kind: 'yaml', value })
/** Exit with a status and print nothing more (exec passes its command's status on). */
export const exit = (code: number): Result => ({ kind: 'exit', code })
/** A list in one of the list formats. */
export const list = (data: ListData, format: string): Result => ({ kind: 'list', data, format })

/** Text for stdout and stderr. */
export interface Rendered {
  stdout: string
  stderr: string
}

/** Renders a non-stream result. */
export function render(result: Result): Rendered {
  const stderr = 'warnings' in result && result.warnings ? result.warnings.map((w) => `${w}\n`).join('') : ''
  switch (result.kind) {
    case 'none':
      return { stdout: '', stderr }
    case 'text':
      return { stdout: result.text, stderr }
    case 'yaml':
      return { stdout: toYaml(result.value), stderr }
    case 'list':
      return { stdout: renderList(result.data, result.format), stderr }
    case 'exit':
      return { stdout: '', stderr: '' }
    case 'stream':
      throw new Error('A stream result is printed as it arrives')
  }
}
