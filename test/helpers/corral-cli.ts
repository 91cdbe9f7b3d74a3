/** @module System tier: the corral CLI run in-process (its main() with a context of the test's environment). */
import { main, nodeContext, type Context } from '@corral/cli'

/** What one corral invocation printed and returned. */
export interface CliRun {
  stdout: string
  stderr: string
  code: number
}

/** A corral runner over `env()` (read at each call), stdin as given (never a terminal). */
export function inProcessCorral(
  env: () => NodeJS.ProcessEnv,
): (args: string[], stdin?: string) => Promise<CliRun> {
  return async (args, stdin) => {
    let stdout = ''
    let stderr = ''
    const makeContext = (g: Context['global']): Context => ({
      ...nodeContext(g, env()),
      stdinIsTTY: false,
      readStdin: () => Promise.resolve(stdin ?? ''),
    })
    const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, makeContext)
    return { stdout, stderr, code }
  }
}
