/** @module Runs `corral` in-process against a fake server and captures its output and exit code. */
import { Readable } from 'node:stream'
import { main, type ClientConfig, type Context } from '@corral/cli'
import { fakeClient, fakeState, type FakeState } from './fake-client.js'

/** What a run printed and returned. */
export interface RunResult {
  stdout: string
  stderr: string
  code: number
}

/** Options of a fake run. */
export interface RunOptions {
  /** Text on stdin (a pipe); omit for a terminal. */
  stdin?: string
  /** What the editor does to the file text (terminal runs). */
  editor?: (text: string) => string
  /** Current time for the support-end check. */
  now?: Date
  /** Terminal flags of stdin and stdout (both false: pipes). */
  tty?: { stdin: boolean; stdout: boolean }
}

/** A fake environment: server state plus the client config, kept across runs. */
export interface FakeWorld {
  state: FakeState
  config: ClientConfig
  /** Texts the editor was opened with. */
  edited: string[]
  /** Messages of the retry prompt. */
  prompts: string[]
  /** Raw-mode switches exec made on the fake terminal. */
  rawModes: boolean[]
  run(args: string[], opts?: RunOptions): Promise<RunResult>
}

/** Builds a fake world with the default project and profile. */
export function fakeWorld(): FakeWorld {
  const world: FakeWorld = {
    state: fakeState(),
    config: {
      'default-remote': 'local',
      remotes: { local: { addr: 'unix://', public: false } },
      aliases: {},
    },
    edited: [],
    prompts: [],
    rawModes: [],
    async run(args, opts = {}) {
      let stdout = ''
      let stderr = ''
      const makeContext = (global: Context['global']): Context => ({
        global,
        env: {},
        config: () => Promise.resolve(structuredClone(world.config)),
        saveConfig: (c) => {
          world.config = structuredClone(c)
          return Promise.resolve()
        },
        client: (remote) => {
          if (remote && !(remote in world.config.remotes))
            throw new Error(`The remote "${remote}" doesn't exist`)
          const r = world.config.remotes[remote ?? 'local']
          return Promise.resolve(fakeClient(world.state, global.project || r?.project || 'default'))
        },
        stdinIsTTY: opts.stdin === undefined,
        readStdin: () => Promise.resolve(opts.stdin ?? ''),
        edit: (text) => {
          world.edited.push(text)
          return Promise.resolve(opts.editor ? opts.editor(text) : text)
        },
        pause: (message) => {
          world.prompts.push(message)
          return world.prompts.length > 3 ? Promise.reject(new Error('Edit aborted')) : Promise.resolve()
        },
        now: () => opts.now ?? new Date('2026-01-01T00:00:00Z'),
        stdio: {
          stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
          stdinIsTTY: opts.tty?.stdin ?? false,
          stdoutIsTTY: opts.tty?.stdout ?? false,
          out: (d) => (stdout += d.toString()),
          err: (d) => (stderr += d.toString()),
          size: () => ({ width: 100, height: 40 }),
          setRaw: (on) => void world.rawModes.push(on),
          onResize: () => () => undefined,
          onSignal: () => () => undefined,
        },
      })
      const code = await main(
        args,
        { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
        makeContext,
      )
      return { stdout, stderr, code }
    },
  }
  return world
}
