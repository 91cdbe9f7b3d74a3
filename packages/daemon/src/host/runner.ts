/** @module The host seam: the only place that spawns processes. */
import { execFile, spawn, type ChildProcess, type StdioOptions } from 'node:child_process'

/** What a command printed. */
export interface CommandResult {
  stdout: string
  stderr: string
}

/** Runs host commands; tests substitute a fake that records calls. */
export interface CommandRunner {
  run(
    cmd: string,
    args: readonly string[],
    opts?: { input?: string; timeoutMs?: number },
  ): Promise<CommandResult>
  /** Starts a long-lived, streaming process (exec and file helpers, dnsmasq, lxcfs, probes). */
  spawn(cmd: string, args: readonly string[], opts: { stdio: StdioOptions; detached?: boolean }): ChildProcess
}

/** Runs commands for real, failing with the command's stderr. */
export const hostRunner: CommandRunner = {
  run(cmd, args, opts = {}) {
    return new Promise((resolve, reject) => {
      const child = execFile(
        cmd,
        [...args],
        { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 << 20 },
        (err, stdout, stderr) => {
          if (err)
            reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`, { cause: err }))
          else resolve({ stdout, stderr })
        },
      )
      if (opts.input !== undefined) child.stdin?.end(opts.input)
    })
  },
  spawn(cmd, args, opts) {
    return spawn(cmd, [...args], { stdio: opts.stdio, detached: opts.detached ?? false })
  },
}
