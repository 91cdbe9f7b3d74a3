/** @module Unit tier: a host runner that records every command and answers from a script, spawning nothing. */
import type { CommandResult, CommandRunner } from '../../src/host/runner.js'

/** One recorded command: the program and its arguments, and the input it was given. */
export interface RecordedCall {
  cmd: string
  args: string[]
  input?: string
}

/** A recording runner; `answer` scripts the output (or throws to fail the command). */
export interface FakeHost extends CommandRunner {
  calls: RecordedCall[]
}

/** Builds a fake host: run() records and answers, spawn() records and throws (unit tests start no process). */
export function fakeHost(
  answer: (call: RecordedCall) => CommandResult | Promise<CommandResult> = () => ({ stdout: '', stderr: '' }),
): FakeHost {
  const calls: RecordedCall[] = []
  return {
    calls,
    async run(cmd, args, opts = {}) {
      const call: RecordedCall = {
        cmd,
        args: [...args],
        ...(opts.input !== undefined ? { input: opts.input } : {}),
      }
      calls.push(call)
      return answer(call)
    },
    spawn(cmd, args) {
      calls.push({ cmd, args: [...args] })
      throw new Error(`fakeHost does not start processes (${cmd})`)
    },
  }
}
