/**
 * @module System tier: the native `corral` launcher and its pool of warm Node processes
 * (packages/cli/native, bin/pool.cjs; docs/performance.md) against a live corrald: a cold first
 * run starts a pool, later runs are served warm with the same output, exit codes, stdin, terminal
 * and signals as a cold run; a changed start-up env uses another pool; the runtime directory,
 * socket and peer checks refuse what is not the caller's own (docs/security.md); a removed
 * runtime directory ends the pool.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { cleanup, corralBin, makeStateDir, repoRoot, startCorrald, type Corrald } from '../helpers/corrald.js'
import { sessionSkipReason } from '../helpers/lxc-session.js'
import { buildBusyboxImage } from '../helpers/setup.js'

const skip = sessionSkipReason({ image: true, pool: true })

let dir = ''
let runtime = ''
let daemon: Corrald | undefined
const name = `cres${process.pid}`
/** Every warm process this file has seen (pid files, trace lines), to end what is left. */
const seen = new Set<number>()
/** Runtime directories this file made. */
const runtimes: string[] = []

interface Run {
  stdout: string
  stderr: string
  code: number | null
  signal: NodeJS.Signals | null
  /** The warm process that ran it, or undefined when it ran cold. */
  warm?: number
  /** The launcher's reason for a cold run. */
  cold?: string
}

const baseEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  CORRAL_DIR: dir,
  CORRAL_CONF: join(dir, 'client'),
  CORRAL_CLI_RESIDENT: '1',
  CORRAL_CLI_RUNTIME_DIR: runtime,
  CORRAL_CLI_TRACE: '1',
  ...extra,
})

/** Splits the launcher's trace line off stderr. */
function traced(r: Omit<Run, 'warm' | 'cold'>): Run {
  const warm = /^corral: served by warm pid (\d+)\n/m.exec(r.stderr)
  const cold = /^corral: cold \(([^)]*)\)\n/m.exec(r.stderr)
  if (warm) seen.add(Number(warm[1]))
  const stderr = r.stderr.replace(/^corral: (served by warm pid \d+|cold \([^)]*\))\n/m, '')
  return { ...r, stderr, warm: warm ? Number(warm[1]) : undefined, cold: cold?.[1] }
}

/** Runs `cmd` (the launcher, or a wrapper around it); resolves with its output and status. */
function runCmd(cmd: string, args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.stdin.end(input)
    child.on('close', (code, signal) => resolve(traced({ stdout, stderr, code, signal })))
  })
}

const corral = (args: string[], extra: NodeJS.ProcessEnv = {}, input = ''): Promise<Run> =>
  runCmd(corralBin, args, baseEnv(extra), input)
const coldCorral = (args: string[], input = ''): Promise<Run> =>
  corral(args, { CORRAL_CLI_RESIDENT: '0' }, input)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The pool sockets' keys in a runtime directory. */
const keys = (rt = runtime): string[] =>
  readdirSync(rt)
    .filter((f) => f.endsWith('.sock'))
    .map((f) => f.slice(0, -5))

/** The key of the (first) pool in a runtime directory, once its socket is bound (2 s at most). */
async function firstKey(rt = runtime): Promise<string> {
  for (let i = 0; i < 100 && keys(rt).length === 0; i++) await sleep(20)
  return keys(rt)[0] ?? ''
}

/** The ready warm processes of a key (their pid files). */
function warmPids(key: string, rt = runtime): number[] {
  const pids = readdirSync(rt)
    .filter((f) => f.startsWith(`${key}.`) && f.endsWith('.pid'))
    .map((f) => Number(readFileSync(join(rt, f), 'utf8')))
  for (const p of pids) seen.add(p)
  return pids.sort((a, b) => a - b)
}

/** Warm processes per pool (POOL_SIZE in packages/cli/bin/pool.cjs). */
const POOL_SIZE = 3

/** Waits (10 s at most) until the pool of `key` has all its warm processes ready; their pids. */
/**
 * Starts `corral ARGS` in the background and waits until a warm process serves it (the
 * launcher's trace says which); the child is killed if none does.
 */
async function startServed(args: string[]) {
  const child = spawn(corralBin, args, { env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const done = new Promise<[number | null, NodeJS.Signals | null]>((r) =>
    child.on('close', (c, sig) => r([c, sig])),
  )
  for (let i = 0; i < 100 && !/served by warm pid/.test(stderr); i++) await sleep(50)
  const warm = Number(/served by warm pid (\d+)/.exec(stderr)?.[1])
  if (!(warm > 0)) child.kill('SIGKILL')
  assert.ok(warm > 0, stderr)
  seen.add(warm)
  return { child, done, warm }
}

async function ready(key: string, rt = runtime): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const pids = warmPids(key, rt)
    if (pids.length === POOL_SIZE) return pids
    await sleep(50)
  }
  throw new Error(`pool ${key} not ready: ${readdirSync(rt).join(' ')}`)
}

const alive = (pid: number): boolean => {
  try {
    // A warm or served process of ours: Node running bin/corral.cjs (a reused pid is not).
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('packages/cli/bin/corral.cjs')
  } catch {
    return false
  }
}

let key = ''

before(async () => {
  if (skip) return
  dir = makeStateDir('corral-cli-res')
  runtime = mkdtempSync('/tmp/corral-cli-rt-')
  runtimes.push(runtime)
  chmodSync(runtime, 0o700)
  buildBusyboxImage(join(dir, 'img'))
  daemon = await startCorrald(dir)
  for (const args of [
    ['storage', 'create', 'default', 'dir'],
    ['profile', 'device', 'add', 'default', 'root', 'disk', 'path=/', 'pool=default'],
    ['image', 'import', join(dir, 'img/busybox.tar.xz'), '--alias', 'busybox'],
    ['launch', 'busybox', name],
  ]) {
    const r = await coldCorral(args)
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
  }
})

after(async () => {
  if (skip) return
  for (const rt of runtimes) {
    try {
      for (const k of keys(rt)) warmPids(k, rt)
    } catch {
      // Directory already removed.
    }
  }
  for (const pid of seen) if (alive(pid)) process.kill(pid, 'SIGKILL')
  for (const rt of runtimes) rmSync(rt, { recursive: true, force: true })
  if (daemon) await coldCorral(['delete', '--force', name])
  spawnSync('lxc-stop', ['-k', '-n', name, '-P', join(dir, 'containers')], { stdio: 'ignore' })
  await cleanup(daemon, dir)
})

test(
  'the first run is cold and starts a pool; the next ones are served by its warm processes',
  { skip },
  async () => {
    const first = await corral(['version'])
    assert.equal(first.cold, 'no pool: starting one')
    assert.equal(first.code, 0)
    // The pool binds its socket once Node has started, which may be after the cold run ends.
    for (let i = 0; i < 100 && keys().length === 0; i++) await sleep(20)
    assert.equal(keys().length, 1)
    key = keys()[0]!
    assert.match(key, /^[0-9a-f]{16}$/)
    const pids = await ready(key)
    const second = await corral(['version'])
    assert.equal(second.code, 0, second.stderr)
    assert.ok(second.warm !== undefined && pids.includes(second.warm), `${second.warm} in ${pids.join(',')}`)
    assert.equal(second.stdout, first.stdout)
    // The one that served left the pool, and a replacement took its place.
    const next = await ready(key)
    assert.ok(!next.includes(second.warm))
  },
)

test('warm output and exit codes are the cold ones', { skip }, async () => {
  const cases: [string[], number][] = [
    [['version'], 0],
    [['list'], 0],
    [['list', '--format', 'csv'], 0],
    [['info'], 0],
    [['info', 'no-such-instance'], 1],
    [['launch', '--no-such-flag'], 1],
    [['exec', name, '--', 'sh', '-c', 'echo out; echo err >&2; exit 7'], 7],
  ]
  for (const [args, code] of cases) {
    const cold = await coldCorral(args)
    await ready(key)
    const warm = await corral(args)
    assert.ok(warm.warm, `${args.join(' ')} served warm: ${warm.cold}`)
    assert.equal(cold.code, code, `${args.join(' ')}: ${cold.stderr}`)
    assert.deepEqual(
      { stdout: warm.stdout, stderr: warm.stderr, code: warm.code },
      { stdout: cold.stdout, stderr: cold.stderr, code: cold.code },
      args.join(' '),
    )
    if (code === 1) assert.match(warm.stderr, /^Error: /m)
  }
})

test('stdin reaches the command; a pipe is no terminal and a pty is one', { skip }, async () => {
  await ready(key)
  const cat = await corral(['exec', name, '--', 'cat'], {}, 'through the warm process\n')
  assert.ok(cat.warm)
  assert.deepEqual([cat.stdout, cat.code], ['through the warm process\n', 0])

  const probe = ['exec', name, '--', 'sh', '-c', 'test -t 0 && echo TTY || echo NOTTY']
  await ready(key)
  const piped = await corral(probe)
  assert.ok(piped.warm)
  assert.equal(piped.stdout, 'NOTTY\n')
  // util-linux script runs the launcher on a new pty (stdin, stdout and stderr all the pty).
  await ready(key)
  const command = [corralBin, ...probe].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  const onPty = await runCmd('script', ['-qec', command, '/dev/null'], baseEnv())
  assert.equal(onPty.code, 0, onPty.stderr)
  assert.match(onPty.stdout, /corral: served by warm pid \d+/)
  assert.match(onPty.stdout, /\bTTY\r*\n/)
  assert.doesNotMatch(onPty.stdout, /NOTTY/)
})

test('SIGINT to the launcher reaches the command and ends it promptly', { skip }, async () => {
  await ready(key)
  const { child, done } = await startServed(['exec', name, '--', 'sleep', '30'])
  await sleep(1000) // the exec reaches the container
  const t = Date.now()
  child.kill('SIGINT')
  const [code, signal] = await done
  assert.ok(Date.now() - t < 5000, `ended after ${Date.now() - t} ms`)
  // As a cold run: exec forwards SIGINT into the container, sleep dies of it, exit 128+2.
  assert.deepEqual([code, signal], [130, null])
})

test(
  'SIGTSTP stops a command that does not handle it, launcher and all; SIGCONT resumes',
  { skip },
  async () => {
    await ready(key)
    // `monitor` runs until stopped and has no SIGTSTP handler: a cold run would stop.
    const { child, done, warm } = await startServed(['monitor'])
    const state = (pid: number) => /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))![1]
    const settle = async (want: string) => {
      for (let i = 0; i < 40 && (state(child.pid!) !== want || state(warm) !== want); i++) await sleep(50)
      return [state(child.pid!), state(warm)]
    }
    await sleep(300)
    child.kill('SIGTSTP')
    assert.deepEqual(await settle('T'), ['T', 'T'])
    child.kill('SIGCONT')
    assert.deepEqual(await settle('S'), ['S', 'S'])
    child.kill('SIGINT')
    // No SIGINT handler in monitor: the warm process dies of it, and the launcher as a cold run does.
    assert.deepEqual(await done, [null, 'SIGINT'])
  },
)

test(
  'a launcher killed outright takes its command along (SIGHUP, as a lost terminal would)',
  { skip },
  async () => {
    await ready(key)
    const { child, warm } = await startServed(['monitor'])
    await sleep(300)
    child.kill('SIGKILL')
    const t = Date.now()
    while (alive(warm) && Date.now() - t < 3000) await sleep(50)
    assert.equal(alive(warm), false, `warm process ${warm} still running`)
  },
)

test('a different start-up environment (NODE_OPTIONS) uses a pool of its own', { skip }, async () => {
  const before = await ready(key)
  const env = { NODE_OPTIONS: '--max-old-space-size=512' }
  const first = await corral(['version'], env)
  assert.equal(first.cold, 'no pool: starting one')
  const other = keys().filter((k) => k !== key)
  assert.equal(other.length, 1)
  const theirs = await ready(other[0]!)
  const second = await corral(['version'], env)
  assert.ok(second.warm !== undefined && theirs.includes(second.warm))
  assert.deepEqual(warmPids(key), before, 'the first pool served nobody')
})

test(
  'refused: a runtime directory of another uid, open to others, or a symlink (cold, nothing sent)',
  { skip },
  async () => {
    const base = mkdtempSync('/tmp/corral-cli-rt-bad-')
    runtimes.push(base)
    const foreign = join(base, 'foreign')
    mkdirSync(foreign, { mode: 0o700 })
    chownSync(foreign, 65534, 65534)
    const open = join(base, 'open')
    mkdirSync(open)
    chmodSync(open, 0o755)
    const link = join(base, 'link')
    symlinkSync(runtime, link)
    for (const rt of [foreign, open, link]) {
      const r = await corral(['version'], { CORRAL_CLI_RUNTIME_DIR: rt })
      assert.equal(r.cold, 'runtime directory refused', rt)
      assert.equal(r.code, 0)
      assert.match(r.stdout, /^Client version: /)
    }
    assert.deepEqual(readdirSync(foreign), [], 'no socket or pool made in a foreign directory')
    assert.deepEqual(readdirSync(open), [])
  },
)

test('refused: a pool socket owned by another uid', { skip }, async () => {
  const pids = await ready(key)
  const socket = join(runtime, `${key}.sock`)
  chownSync(socket, 65534, 65534)
  try {
    const r = await corral(['version'])
    assert.equal(r.cold, 'socket refused')
    assert.equal(r.code, 0)
  } finally {
    chownSync(socket, 0, 0)
  }
  assert.deepEqual(warmPids(key), pids, 'no warm process was handed the command')
})

test('refused by the pool: a peer with other groups, capabilities or mount namespace', { skip }, async () => {
  const pids = await ready(key)
  const forced = { CORRAL_CLI_SOCKET: join(runtime, `${key}.sock`) }
  for (const wrap of [
    ['setpriv', '--groups', '4242'],
    ['setpriv', '--bounding-set', '-net_raw'],
    ['unshare', '-m'],
  ]) {
    const r = await runCmd(wrap[0]!, [...wrap.slice(1), corralBin, 'version'], baseEnv(forced))
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.warm, undefined, `${wrap.join(' ')}: served by ${r.warm}`)
    assert.match(r.cold ?? '', /^(pool did not take the command|hand-over failed)$/, wrap.join(' '))
    assert.match(r.stdout, /^Client version: /)
    assert.deepEqual(warmPids(key), pids, `${wrap.join(' ')}: no warm process was handed the command`)
  }
  // The same socket, the caller's own context: served (the refusals above were the key's).
  const own = await corral(['version'], forced)
  assert.ok(own.warm !== undefined && pids.includes(own.warm))
})

/** Runs a python3 script (an attacker's tool: Node has no SCM_RIGHTS) with args; its process. */
function python(script: string, args: string[], wrap: string[] = [], env: NodeJS.ProcessEnv = baseEnv()) {
  const cmd = [...wrap, '/usr/bin/python3', '-c', script, ...args]
  const child = spawn(cmd[0]!, cmd.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] })
  child.stderr.on('data', (c: Buffer) => process.stderr.write(`python: ${c.toString()}`))
  return child
}

/** Resolves with the first stdout line of a child matching re (10 s at most). */
function line(child: ReturnType<typeof spawn>, re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`no ${re} in ${out}`)), 10000)
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const m = re.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m)
      }
    })
  })
}

const exited = (child: ReturnType<typeof spawn>): Promise<void> =>
  new Promise((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : child.on('close', () => r()),
  )

/** A same-uid process that put its own socket in the pool's place: what a launcher sends it. */
const FAKE_POOL = `
import json, socket, os, struct, sys
path, claim, report = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(8)
print('listening', flush=True)
c, _ = s.accept()
# The hello of the new protocol, claiming pid 'claim' (the old protocol's pid answer is the same u32).
c.sendmsg([b'CRP2' + struct.pack('<I', claim or os.getpid())])
c.settimeout(3)
got, fds = b'', 0
try:
    while True:
        msg, anc, _, _ = c.recvmsg(1 << 16, socket.CMSG_SPACE(64))
        for _, typ, data in anc:
            if typ == socket.SCM_RIGHTS:
                fds += len(data) // 4
        if not msg:
            break
        got += msg
except (socket.timeout, OSError):
    pass
os.unlink(path)
json.dump({'bytes': len(got), 'fds': fds, 'secret': b'hunter2' in got}, open(report, 'w'))
`

test(
  'refused: a less privileged same-uid process in the pool socket place gets no terminal, env or signal',
  { skip },
  async () => {
    const victim = spawn('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'sleep', '60'])
    await sleep(200)
    const socket = join(runtime, `${key}.sock`)
    try {
      // Claiming another user's process, then honestly its own pid (its key is not ours).
      for (const claim of [victim.pid!, 0]) {
        const real = await ready(key)
        const report = join(runtime, 'fake-report.json')
        const fake = python(
          FAKE_POOL,
          [socket, String(claim), report],
          ['setpriv', '--bounding-set', '-all', '--no-new-privs'],
        )
        await line(fake, /listening/)
        const r = await corral(['version'], { CORRAL_TEST_SECRET: 'hunter2' })
        await exited(fake)
        assert.match(r.cold ?? '', /^pool refused: not our own$/, `claim ${claim}: ${r.stderr}`)
        assert.equal(r.code, 0)
        assert.match(r.stdout, /^Client version: /)
        const got = JSON.parse(readFileSync(report, 'utf8')) as Record<string, unknown>
        rmSync(report)
        assert.deepEqual(got, { bytes: 0, fds: 0, secret: false }, 'nothing sent to the fake pool')
        assert.equal(victim.exitCode, null, 'the other user’s process is untouched')
        // The real pool sees its socket replaced and ends (within a second, taking its lock
        // along); then a cold run starts the next one.
        for (let i = 0; i < 100 && real.some(alive); i++) await sleep(50)
        assert.equal((await corral(['version'])).cold, 'no pool: starting one')
        await ready(key)
      }
    } finally {
      victim.kill('SIGKILL')
    }
    await ready(key)
  },
)

/** Connects from a short-lived child (the peer the pool sees), keeps the connection, reaps the
 * child, says its pid, and on the pool's hello hands it a command with our own output file. */
const PID_REUSE = `
import os, socket, struct, sys, time
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
child = os.fork()
if child == 0:
    s.connect(path)
    os._exit(0)
os.waitpid(child, 0)
print('child', child, flush=True)
s.settimeout(8)
try:
    hello = s.recv(8)
except socket.timeout:
    hello = b''
if hello:
    body = struct.pack('<I', 1) + b'version\\0' + struct.pack('<I', 0) + b'/\\0' + struct.pack('<I', 0o22)
    out = os.open(sys.argv[2], os.O_WRONLY)
    s.sendmsg([b'CRL2' + struct.pack('<I', len(body))], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack('3i', out, out, out))])
    s.sendall(body)
    if s.recv(1) == b'r':
        s.sendall(b'g')
        time.sleep(2)
print('hello', len(hello), flush=True)
`

test(
  'refused by the pool: a peer whose pid was reused by a process of the pool’s own context',
  { skip },
  async () => {
    const pids = await ready(key)
    const out = join(runtime, 'reuse-out')
    const socket = join(runtime, `${key}.sock`)
    let holder: ReturnType<typeof spawn> | undefined
    for (const p of pids) process.kill(p, 'SIGSTOP') // nobody accepts until the pid is recycled
    try {
      spawnSync('truncate', ['-s', '0', out])
      const attacker = python(
        PID_REUSE,
        [socket, out],
        ['setpriv', '--bounding-set', '-all', '--no-new-privs'],
      )
      const peer = Number((await line(attacker, /child (\d+)/))[1])
      // Give the peer's pid to a process with the pool's key (ours: same context and env).
      for (let i = 0; i < 200 && holder?.pid !== peer; i++) {
        holder?.kill('SIGKILL')
        writeFileSync('/proc/sys/kernel/ns_last_pid', String(peer - 1))
        holder = spawn('sleep', ['30'], { env: baseEnv(), stdio: 'ignore' })
      }
      assert.equal(holder?.pid, peer, `pid ${peer} recycled`)
      for (const p of pids) process.kill(p, 'SIGCONT')
      const said = await line(attacker, /hello (\d+)/)
      await exited(attacker)
      assert.equal(said[1], '0', 'the pool sent no hello to the connection')
      assert.equal(readFileSync(out, 'utf8'), '', 'no command ran on the attacker’s terminal')
      assert.deepEqual(warmPids(key), pids, 'no warm process was handed the command')
    } finally {
      for (const p of pids) if (alive(p)) process.kill(p, 'SIGCONT')
      holder?.kill('SIGKILL')
      rmSync(out, { force: true })
    }
  },
)

test(
  'refused: a runtime directory inside one that another uid can change (cold, nothing made)',
  { skip },
  async () => {
    const foreign = mkdtempSync('/tmp/corral-cli-rt-parent-')
    runtimes.push(foreign)
    chmodSync(foreign, 0o755)
    chownSync(foreign, 65534, 65534) // as `sudo -E` keeps a user's XDG_RUNTIME_DIR
    const deep = join(foreign, 'mid')
    mkdirSync(deep, { mode: 0o700 }) // root's own, but inside the other uid's directory
    const shared = mkdtempSync('/tmp/corral-cli-rt-group-')
    runtimes.push(shared)
    chmodSync(shared, 0o775) // root's, writable by its group
    const pids = await ready(key)
    for (const env of [
      { CORRAL_CLI_RUNTIME_DIR: '', XDG_RUNTIME_DIR: foreign },
      { CORRAL_CLI_RUNTIME_DIR: join(deep, 'rt') },
      { CORRAL_CLI_RUNTIME_DIR: join(shared, 'rt') },
    ]) {
      const r = await corral(['version'], env)
      assert.equal(r.cold, 'runtime directory refused', JSON.stringify(env))
      assert.equal(r.code, 0)
      assert.match(r.stdout, /^Client version: /)
    }
    assert.deepEqual(readdirSync(foreign), ['mid'], 'no corral-cli made in the other uid’s directory')
    assert.deepEqual(readdirSync(deep), [])
    assert.deepEqual(readdirSync(shared), [])
    assert.deepEqual(warmPids(key), pids)
  },
)

test('LD_* and GLIBC_TUNABLES run cold; MALLOC_* has a pool of its own', { skip }, async () => {
  const pids = await ready(key)
  for (const env of [
    { LD_BIND_NOW: '1' },
    { LD_LIBRARY_PATH: '/nonexistent' },
    { GLIBC_TUNABLES: 'glibc.malloc.check=0' },
  ]) {
    const r = await corral(['version'], env)
    assert.equal(r.cold, 'LD_* or GLIBC_TUNABLES set', JSON.stringify(env))
    assert.equal(r.code, 0)
  }
  assert.deepEqual(warmPids(key), pids, 'no warm process was handed the command')
  const first = await corral(['version'], { MALLOC_ARENA_MAX: '2' })
  assert.equal(first.cold, 'no pool: starting one')
  assert.deepEqual(warmPids(key), pids)
})

test('a pool keeps none of its starter’s other variables (secrets) in its environ', { skip }, async () => {
  const rt = mkdtempSync('/tmp/corral-cli-rt-env-')
  runtimes.push(rt)
  chmodSync(rt, 0o700)
  const env = { CORRAL_CLI_RUNTIME_DIR: rt, CORRAL_TEST_SECRET: 'hunter2' }
  assert.equal((await corral(['version'], env)).cold, 'no pool: starting one')
  const k = await firstKey(rt)
  const pids = await ready(k, rt)
  const served = await corral(['version'], env)
  assert.ok(served.warm !== undefined)
  for (const p of [...pids, ...(await ready(k, rt))]) {
    if (!alive(p)) continue
    const environ = readFileSync(`/proc/${p}/environ`, 'utf8').split('\0')
    assert.ok(!environ.some((e) => e.includes('hunter2')), `pid ${p}: ${environ.join(' ')}`)
    assert.ok(environ.some((e) => e.startsWith('PATH=')))
  }
})

test('no_new_privs (as unprivileged Landlock requires) runs cold', { skip }, async () => {
  const pids = await ready(key)
  const r = await runCmd('setpriv', ['--no-new-privs', corralBin, 'version'], baseEnv())
  assert.equal(r.cold, 'no_new_privs')
  assert.equal(r.code, 0)
  assert.deepEqual(warmPids(key), pids)
})

/** A listener whose backlog is full and that never accepts. */
const FULL_BACKLOG = `
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(0)
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(sys.argv[1])
print('full', flush=True)
time.sleep(30)
`

test('a pool socket whose backlog is full: cold at once, not a hang', { skip }, async () => {
  const path = join(runtime, 'full.sock')
  const listener = python(FULL_BACKLOG, [path])
  try {
    await line(listener, /full/)
    const t = Date.now()
    const r = await corral(['version'], { CORRAL_CLI_SOCKET: path })
    assert.equal(r.cold, 'pool busy')
    assert.equal(r.code, 0)
    assert.ok(Date.now() - t < 3000, `took ${Date.now() - t} ms`)
  } finally {
    listener.kill('SIGKILL')
    rmSync(path, { force: true })
  }
})

test('a pool out of descriptors backs off instead of spinning on accept', { skip }, async () => {
  const pids = await ready(key)
  const ticks = (p: number) => {
    const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return Number(f[11]) + Number(f[12])
  }
  const socket = join(runtime, `${key}.sock`)
  // The lowest free descriptor number: as the soft limit, every new descriptor is EMFILE.
  const open = (p: number) => {
    const used = new Set(readdirSync(`/proc/${p}/fd`).map(Number))
    let n = 0
    while (used.has(n)) n++
    return n
  }
  // The soft limit only (a lowered hard limit cannot be raised again from outside).
  const hard = (p: number) =>
    /^Max open files\s+\d+\s+(\d+)/m.exec(readFileSync(`/proc/${p}/limits`, 'utf8'))![1]!
  const limit = (p: number, soft: number | string) =>
    assert.equal(spawnSync('prlimit', [`--pid=${p}`, `--nofile=${soft}:${hard(p)}`]).status, 0)
  for (const p of pids) limit(p, open(p))
  const client = python(
    `import socket,sys,time\ns=socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\nprint('in',flush=True)\ntime.sleep(30)`,
    [socket],
  )
  try {
    await line(client, /in/)
    const before = pids.map(ticks)
    await sleep(1000)
    const used = pids.map((p, i) => ticks(p) - before[i]!)
    // Spinning would be ~100 ticks (a whole second) each; backing off is a few.
    assert.ok(
      used.every((u) => u < 15),
      `CPU ticks in 1 s: ${used.join(',')}`,
    )
  } finally {
    client.kill('SIGKILL')
    for (const p of pids) limit(p, hard(p))
  }
  await sleep(300)
  const r = await corral(['version'])
  assert.ok(r.warm !== undefined, `served again: ${r.cold}`)
})

test(
  'a replacement that served and exited is not left a zombie of a long-running command',
  { skip },
  async () => {
    await ready(key)
    const { child, warm } = await startServed(['monitor'])
    try {
      const ppid = (p: number) =>
        Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1])
      let mine = 0
      for (let i = 0; i < 100 && !mine; i++) {
        mine = warmPids(key).find((p) => alive(p) && ppid(p) === warm) ?? 0
        if (!mine) await sleep(50)
      }
      assert.ok(mine > 0, `a replacement spawned by ${warm}`)
      // Serve commands until that replacement has served one and exited.
      for (let i = 0; i < 12 && warmPids(key).includes(mine); i++) {
        await ready(key)
        await corral(['version'])
      }
      assert.ok(!warmPids(key).includes(mine), `replacement ${mine} served`)
      await sleep(2500)
      let state = 'gone'
      try {
        state = /\) (\S)/.exec(readFileSync(`/proc/${mine}/stat`, 'utf8'))![1]!
      } catch {
        // Reaped.
      }
      assert.notEqual(state, 'Z', `replacement ${mine} left a zombie`)
    } finally {
      child.kill('SIGINT')
      await exited(child)
    }
  },
)

test('a variable named like an Object property (constructor, __proto__) reaches the command', () => {
  const { parseBody } = createRequire(import.meta.url)(join(repoRoot, 'packages/cli/bin/pool.cjs')) as {
    parseBody: (b: Buffer) => { env: Record<string, string> }
  }
  const strs = ['constructor=a', '__proto__=b', 'toString=c', 'PATH=/bin']
  const u32 = (n: number) => {
    const b = Buffer.alloc(4)
    b.writeUInt32LE(n)
    return b
  }
  const body = Buffer.concat([
    u32(0),
    u32(strs.length),
    ...strs.map((s) => Buffer.from(`${s}\0`)),
    Buffer.from('/\0'),
    u32(0o22),
  ])
  const { env } = parseBody(body)
  assert.deepEqual(
    Object.entries(env),
    strs.map((s) => s.split('=')),
  )
})

test(
  'an idle pool ends by itself (CORRAL_CLI_IDLE) and takes its socket and files along',
  { skip },
  async () => {
    const rt = mkdtempSync('/tmp/corral-cli-rt-idle-')
    runtimes.push(rt)
    chmodSync(rt, 0o700)
    const env = { CORRAL_CLI_RUNTIME_DIR: rt, CORRAL_CLI_IDLE: '1' }
    assert.equal((await corral(['version'], env)).cold, 'no pool: starting one')
    const pids = await ready(await firstKey(rt), rt)
    const t = Date.now()
    while (pids.some(alive) && Date.now() - t < 8000) await sleep(100)
    assert.deepEqual(pids.filter(alive), [], `still running after ${Date.now() - t} ms`)
    assert.deepEqual(readdirSync(rt), [])
  },
)

test('removing the runtime directory ends the pool within a few seconds', { skip }, async () => {
  const pids = [...(await ready(key)), ...keys().flatMap((k) => warmPids(k))]
  assert.ok(pids.every(alive))
  rmSync(runtime, { recursive: true, force: true })
  const t = Date.now()
  while (pids.some(alive) && Date.now() - t < 5000) await sleep(100)
  assert.deepEqual(pids.filter(alive), [], `still running after ${Date.now() - t} ms`)
  assert.ok(Date.now() - t < 3000, `ended after ${Date.now() - t} ms`)
})
