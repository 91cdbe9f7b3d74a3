/** @module Processes named by a pidfd (native/pidfd.c): signals that cannot reach a reused pid, and exits awaited as events. */
import { closeSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const addon = require('../../../native/build/pidfd.node') as {
  open(pid: number): number
  signal(fd: number, signal: number): boolean
  wait(fd: number, callback: () => void): void
}

/** One process, held by a pidfd until {@link ProcessHandle.close}. */
export interface ProcessHandle {
  pid: number
  /** Sends a signal (by number) to this very process; false when it has exited already. */
  signal(signal: number): boolean
  /** Resolves once the process has exited (watched on the event loop, no polling). */
  exited(): Promise<void>
  /** Releases the pidfd (after its exit has been awaited, or when it is no longer wanted). */
  close(): void
}

/** Opens a pidfd on `pid`; undefined when no such process exists (any other failure throws). */
export function openProcess(pid: number): ProcessHandle | undefined {
  let fd: number
  try {
    fd = addon.open(pid)
  } catch (err) {
    if ((err as { code?: string }).code === 'ESRCH') return undefined
    throw err
  }
  let exit: Promise<void> | undefined
  let closed = false
  return {
    pid,
    signal: (signal) => addon.signal(fd, signal),
    exited: () => (exit ??= new Promise<void>((resolve) => addon.wait(fd, resolve))),
    close() {
      if (closed) return
      closed = true
      // A pending wait keeps the fd in the event loop: close only once it has fired.
      if (exit) void exit.then(() => closeSync(fd))
      else closeSync(fd)
    },
  }
}
