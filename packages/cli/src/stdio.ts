/** @module The process's streams and terminal as commands see them: exec, file transfers and progress. */

/** Streams and terminal controls; tests pass a fake. */
export interface Stdio {
  /** Standard input as a stream. */
  readonly stdin: NodeJS.ReadableStream
  readonly stdinIsTTY: boolean
  readonly stdoutIsTTY: boolean
  /** Writes bytes or text to stdout. */
  out(data: Buffer | string): void
  /** Writes bytes or text to stderr. */
  err(data: Buffer | string): void
  /** The terminal size (80x24 when unknown). */
  size(): { width: number; height: number }
  /** Switches the local terminal to raw mode and back. */
  setRaw(on: boolean): void
  /** Calls `handler` on each terminal resize; returns the unsubscribe function. */
  onResize(handler: () => void): () => void
  /** Calls `handler` with the signal number for SIGINT, SIGTERM, SIGHUP, SIGQUIT...; returns the unsubscribe. */
  onSignal(handler: (signal: number) => void): () => void
}

/** Signals exec forwards, with their Linux numbers. */
export const forwardedSignals: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
  SIGTSTP: 20,
  SIGCONT: 18,
}

/** The real process's stdio. */
export function processStdio(): Stdio {
  return {
    stdin: process.stdin,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    out: (d) => void process.stdout.write(d),
    err: (d) => void process.stderr.write(d),
    size: () => ({ width: process.stdout.columns || 80, height: process.stdout.rows || 24 }),
    setRaw(on) {
      if (process.stdin.isTTY) process.stdin.setRawMode(on)
    },
    onResize(handler) {
      process.stdout.on('resize', handler)
      return () => void process.stdout.off('resize', handler)
    },
    onSignal(handler) {
      const entries = Object.entries(forwardedSignals).map(([key, n]) => {
        const name = key as NodeJS.Signals
        const fn = (): void => handler(n)
        process.on(name, fn)
        return [name, fn] as const
      })
      return () => {
        for (const [name, fn] of entries) process.off(name, fn)
      }
    },
  }
}

/** lxc's progress line: `\r` redraws on a terminal, padded over the previous text; silent otherwise. */
export class Progress {
  private max = 0
  constructor(private readonly stdio: Stdio) {}

  /** Shows a progress message. */
  update(message: string): void {
    if (!this.stdio.stdoutIsTTY || message === '') return
    if (message.length > this.max) this.max = message.length
    else this.stdio.out(`\r${' '.repeat(this.max)}`)
    this.stdio.out(`\r${message}`)
  }

  /** Clears the line; the next output starts at column 0. */
  done(): void {
    if (this.max > 0) this.stdio.out(`\r${' '.repeat(this.max)}\r`)
    this.max = 0
  }

  /** Shows an operation's progress from its metadata: LXD's `*_progress` texts, or corrald's `progress` object. */
  fromMetadata(prefix: string, metadata: Record<string, unknown>): void {
    const key = Object.keys(metadata).find((k) => k.endsWith('_progress'))
    const value = key ? metadata[key] : undefined
    if (typeof value === 'string') return this.update(`${prefix}${value}`)
    const p = metadata.progress as { stage?: unknown; percent?: unknown } | undefined
    if (p && typeof p === 'object' && p.percent !== undefined)
      this.update(
        `${prefix}${typeof p.stage === 'string' && p.stage ? `${p.stage}: ` : ''}${typeof p.percent === 'string' || typeof p.percent === 'number' ? p.percent : ''}%`,
      )
  }
}
