/** @module System tier: run the real corrald binary on a temporary state directory. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { join } from 'node:path'

/** The repository root (this file runs from test/dist/helpers). */
export const repoRoot = new URL('../../../', import.meta.url).pathname

/** The corrald and corral launchers (corral's is native: run it directly, not through node). */
export const corraldBin = join(repoRoot, 'packages/daemon/bin/corrald')
export const corralBin = join(repoRoot, 'packages/cli/bin/corral')

// Tests run corral cold, so that none leaves a pool of warm CLI processes behind (scripts/test.sh
// sets the same); test/system/cli-resident.test.ts turns the pool on for its own runs.
process.env.CORRAL_CLI_RESIDENT ??= '0'

/** A running corrald process. */
export interface Corrald {
  dir: string
  socket: string
  proc: ChildProcess
  /** Everything the daemon wrote to stderr so far. */
  stderr(): string
  /** SIGTERM, then waits for exit; resolves with the exit code. */
  stop(): Promise<number | null>
  /** SIGKILL, then waits for exit. */
  kill(): Promise<void>
}

/** A fresh state directory under /tmp that other users may traverse (for socket access tests). */
export function makeStateDir(prefix: string): string {
  const dir = mkdtempSync(join('/tmp', `${prefix}-`))
  chmodSync(dir, 0o711)
  return dir
}

/** Resolves true when GET /internal/ready answers 200 on the socket. */
export function isReady(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/internal/ready', method: 'GET' }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('error', () => resolve(false))
    req.end()
  })
}

function exited(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode)
  return new Promise((resolve) => proc.once('exit', (code) => resolve(code)))
}

/** Starts corrald on `dir` and waits until it is ready (10 s at most). */
export function startCorrald(dir: string, args: string[] = ['--group', 'root']): Promise<Corrald> {
  const proc = spawn(process.execPath, [corraldBin, ...args], {
    env: { ...process.env, CORRAL_DIR: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  return superviseCorrald(dir, proc)
}

/** Waits until a corrald already spawned (stderr piped) on `dir` is ready (10 s at most); its handle. */
export async function superviseCorrald(dir: string, proc: ChildProcess): Promise<Corrald> {
  let stderr = ''
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
  const socket = join(dir, 'unix.socket')
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`corrald exited with ${proc.exitCode}: ${stderr}`)
    if (existsSync(socket) && (await isReady(socket))) break
    await new Promise((r) => setTimeout(r, 50))
  }
  if (!(await isReady(socket))) {
    proc.kill('SIGKILL')
    throw new Error(`corrald did not become ready: ${stderr}`)
  }
  return {
    dir,
    socket,
    proc,
    stderr: () => stderr,
    async stop() {
      proc.kill('SIGTERM')
      return exited(proc)
    },
    async kill() {
      proc.kill('SIGKILL')
      await exited(proc)
    },
  }
}

/** Stops a daemon if still running and removes its state directory. */
export async function cleanup(daemon: Corrald | undefined, dir: string): Promise<void> {
  if (daemon && daemon.proc.exitCode === null && daemon.proc.signalCode === null) await daemon.kill()
  removeContainers(dir)
  removeNetworks(dir)
  rmSync(dir, { recursive: true, force: true })
}

/** The per-daemon prefix of container cgroups (the daemon's own rule: sha256 of the state directory). */
/** The cgroup name prefix of the daemon on this state directory (as the daemon computes it). */
export const cgroupPrefix = (dir: string) =>
  `corral-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`

function rmdirTree(path: string): void {
  let children: string[]
  try {
    children = readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
  } catch {
    return
  }
  for (const c of children) rmdirTree(join(path, c))
  try {
    rmdirSync(path)
  } catch {
    // Busy or gone.
  }
}

/**
 * Removes what this state directory's containers left on the host when a daemon was killed in
 * the middle of a start or a test ended early: each container is force-stopped, the host veths
 * its record names are deleted, and its cgroups go.
 */
export function removeContainers(dir: string): void {
  const lxcpath = join(dir, 'containers')
  for (const name of existsSync(lxcpath) ? readdirSync(lxcpath) : []) {
    if (run('lxc-info', ['-n', name, '-P', lxcpath, '-s']).stdout.includes('RUNNING'))
      run('lxc-stop', ['-k', '-n', name, '-P', lxcpath])
    let steps: { kind: string; name?: string }[]
    try {
      steps = (JSON.parse(readFileSync(join(lxcpath, name, 'applied.json'), 'utf8')) as { steps: [] }).steps
    } catch {
      continue
    }
    for (const step of steps)
      if (step.kind === 'veth' && step.name && existsSync(`/sys/class/net/${step.name}`))
        spawnSync('ip', ['link', 'del', step.name])
  }
  const prefix = `${cgroupPrefix(dir)}.`
  const root = '/sys/fs/cgroup'
  for (const h of [root, ...(existsSync(root) ? readdirSync(root).map((n) => join(root, n)) : [])]) {
    let entries: string[]
    try {
      entries = readdirSync(h)
    } catch {
      continue
    }
    for (const e of entries) if (e.startsWith(prefix)) rmdirTree(join(h, e))
  }
}

/**
 * Removes what this state directory's networks left on the host when a test ended early: their
 * dnsmasq (which outlives the daemon, as it should), bridges and the daemon's nft table.
 */
export function removeNetworks(dir: string): void {
  const networks = join(dir, 'networks')
  for (const name of existsSync(networks) ? readdirSync(networks) : []) {
    try {
      const pid = Number(readFileSync(join(networks, name, 'dnsmasq.pid'), 'utf8').trim())
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      if (cmdline[0]?.endsWith('dnsmasq') && cmdline.includes(`--interface=${name}`))
        process.kill(pid, 'SIGKILL')
    } catch {
      // No dnsmasq left.
    }
    if (existsSync(`/sys/class/net/${name}`)) spawnSync('ip', ['link', 'del', name])
  }
  const table = `corral_${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`
  for (const family of ['inet', 'bridge'])
    if (spawnSync('nft', ['list', 'table', family, table]).status === 0)
      spawnSync('nft', ['delete', 'table', family, table])
  // xtables rules of this daemon's bridges carry its table name in their comment.
  for (const tool of ['iptables', 'ip6tables']) {
    for (const [t, chain] of [
      ['filter', 'INPUT'],
      ['filter', 'OUTPUT'],
      ['filter', 'FORWARD'],
      ['nat', 'POSTROUTING'],
    ] as const) {
      const listed = spawnSync(tool, ['-w', '-t', t, '-S', chain], { encoding: 'utf8' }).stdout ?? ''
      for (const line of listed.split('\n').filter((l) => l.includes(`corral.${table}.`))) {
        const args = (line.match(/"[^"]*"|\S+/g) ?? []).map((a) =>
          a === '-A' ? '-D' : a.replace(/^"(.*)"$/, '$1'),
        )
        spawnSync(tool, ['-w', '-t', t, ...args])
      }
    }
  }
}

/** Runs a command synchronously and returns its status and output. */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const r = spawnSync(cmd, args, {
    env: opts.env ?? process.env,
    input: opts.input,
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Why a root-only system test cannot run here, or undefined when it can. */
export function rootSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'system tests need root (they create users and run the real daemon)'
  return undefined
}

/** A TCP port free on 127.0.0.1 right now (for core.https_address in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port
      srv.close(() => resolve(p))
    })
  })
}

/** Unmounts what is still mounted under `dir` (deepest first), so removing it cannot reach a host source. */
export function unmountUnder(dir: string): void {
  const targets = run('findmnt', ['-rn', '-o', 'TARGET'])
    .stdout.split('\n')
    .filter((t) => t.startsWith(`${dir}/`))
  for (const t of targets.reverse()) run('umount', [t])
}
