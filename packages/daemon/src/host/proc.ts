/** @module Processes and kernel features as /proc and /sys tell them (the host seam's only reader of both, with net.ts and cgroups.ts). */
import { existsSync, readFileSync, readlinkSync } from 'node:fs'

/** True while a process of that pid exists. */
export function processExists(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`)
}

/** A process's command line as its arguments, or undefined when it is gone. */
export function processCmdline(pid: number): string[] | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
  } catch {
    return undefined
  }
}

/** True when AppArmor is enabled in the running kernel. */
export function apparmorEnabled(): boolean {
  return existsSync('/sys/kernel/security/apparmor')
}

/** The mount namespace of a process (`mnt:[4026531841]`), or undefined when it is gone. */
export function mountNamespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`)
  } catch {
    return undefined
  }
}

/** A process's parent pid from /proc/PID/stat, or undefined when it is gone. */
export function processParent(pid: number): number | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count from its last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return undefined
  }
}
