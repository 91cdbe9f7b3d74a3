/** @module Syscall name lists as `security.syscalls.deny` and `.allow` take them. */

/** The syscall names of a `security.syscalls.deny`/`allow` value (newline or comma separated). */
export function syscallNames(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\n,]/)
    .map((n) => n.trim())
    .filter(Boolean)
}

/** A valid syscall name list, or a 400 naming the bad entry. */
export function checkSyscallList(value: string): void {
  for (const n of syscallNames(value))
    if (!/^[a-z0-9_]+$/.test(n)) throw new Error(`"${n}" is not a syscall name`)
}
