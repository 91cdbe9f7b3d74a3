/** @module Runs `corral` in-process against a fake server and captures its output and exit code. */
import { Readable } from 'node:stream'
import { main, type ClientConfig, type Context } from '@corral/cli'
import { CertificateMismatchError, type Client } from '@corral/client'
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
  /** Other servers by https address, with their certificates. */
  servers: Map<string, { state: FakeState; certificate: string; fingerprint: string }>
  /** Pinned server certificates by remote name (servercerts/). */
  pinned: Map<string, string>
  /** The client certificate once created. */
  clientCert?: string
  /** Answers to prompts, in order; questions asked. */
  answers: string[]
  questions: string[]
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
    servers: new Map(),
    pinned: new Map(),
    answers: [],
    questions: [],
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
          const name = remote ?? world.config['default-remote']
          if (!(name in world.config.remotes)) throw new Error(`The remote "${name}" doesn't exist`)
          const r = world.config.remotes[name]!
          const project = global.project || r.project || 'default'
          if (r.addr.startsWith('unix:')) return Promise.resolve(fakeClient(world.state, project))
          return dial(r.addr, world.pinned.get(name), r.public !== true, project)
        },
        remotes: {
          fetchCertificate: (url) => {
            const s = world.servers.get(url)
            if (!s) return Promise.reject(new Error(`dial tcp ${url.slice(8)}: connect: connection refused`))
            return Promise.resolve({ certificate: s.certificate, fingerprint: s.fingerprint })
          },
          serverCert: (remote) => Promise.resolve(world.pinned.get(remote)),
          pinServerCert: (remote, pem) => {
            world.pinned.set(remote, pem)
            return Promise.resolve()
          },
          unpinServerCert: (remote) => {
            world.pinned.delete(remote)
            return Promise.resolve()
          },
          renameServerCert: (from, to) => {
            const pem = world.pinned.get(from)
            if (pem !== undefined) {
              world.pinned.set(to, pem)
              world.pinned.delete(from)
            }
            return Promise.resolve()
          },
          ensureClientCertificate: () => {
            if (world.clientCert) return Promise.resolve(false)
            world.clientCert = 'client-cert-1'
            return Promise.resolve(true)
          },
          dial: (addr, o) =>
            addr.startsWith('unix:')
              ? Promise.resolve(fakeClient(world.state))
              : dial(addr, o.serverCert, o.authenticate, 'default'),
        },
        ask: (question) => {
          world.questions.push(question)
          stdout += question
          return Promise.resolve(world.answers.shift() ?? '')
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
      const dial = (
        addr: string,
        pinned: string | undefined,
        auth: boolean,
        project: string,
      ): Promise<Client> => {
        const s = world.servers.get(addr)
        if (!s)
          return Promise.reject(
            new Error(`Get "${addr}/1.0": dial tcp ${addr.slice(8)}: connect: connection refused`),
          )
        if (pinned === undefined)
          return Promise.reject(new Error(`Get "${addr}/1.0": x509: certificate signed by unknown authority`))
        if (pinned !== s.certificate) return Promise.reject(new CertificateMismatchError(addr, 'other'))
        const client = fakeClient(s.state, project, auth ? (world.clientCert ?? 'anonymous') : 'anonymous')
        return Promise.resolve({ ...client, connection: { url: addr, certificate: pinned, protocol: 'lxd' } })
      }
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
