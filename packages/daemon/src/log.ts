/** @module The daemon log: stderr, a file under logs/, and `logging` events. */
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { EventHub } from './events/hub.js'

/** Log levels, lowest first. */
export type Level = 'debug' | 'info' | 'warning' | 'error'

const order: Record<Level, number> = { debug: 0, info: 1, warning: 2, error: 3 }

/** A logger whose lines look like LXD's logfmt lines. */
export class Logger {
  private hub: EventHub | undefined

  constructor(
    private readonly file: string | undefined,
    private readonly minLevel: Level,
    private readonly toStderr = true,
  ) {
    if (file) mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 })
  }

  /** Also publishes each line as a `logging` event from now on. */
  attach(hub: EventHub): void {
    this.hub = hub
  }

  /** Logs at debug level. */
  debug(message: string, context: Record<string, string> = {}): void {
    this.write('debug', message, context)
  }

  /** Logs at info level. */
  info(message: string, context: Record<string, string> = {}): void {
    this.write('info', message, context)
  }

  /** Logs at warning level. */
  warn(message: string, context: Record<string, string> = {}): void {
    this.write('warning', message, context)
  }

  /** Logs at error level. */
  error(message: string, context: Record<string, string> = {}): void {
    this.write('error', message, context)
  }

  private write(level: Level, message: string, context: Record<string, string>): void {
    this.hub?.publish('logging', { message, level, context })
    if (order[level] < order[this.minLevel]) return
    const fields = Object.entries(context).map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    const line = [
      `time="${new Date().toISOString()}"`,
      `level=${level}`,
      `msg=${JSON.stringify(message)}`,
      ...fields,
    ].join(' ')
    if (this.toStderr) process.stderr.write(`${line}\n`)
    if (this.file) {
      try {
        appendFileSync(this.file, `${line}\n`, { mode: 0o600 })
      } catch {
        // The log file is a convenience; stderr already has the line.
      }
    }
  }
}
