/**
 * @module A warm `corral` process: one of a small pool per user (and per key, see
 * ../native/key.h) that has Node started, the bundle loaded and the command tree warmed before
 * a command arrives. The launcher (../native/launcher.c) hands it a command with its terminal;
 * it runs that one command as `node bin/corral.cjs` would, and a fresh process takes its place.
 * docs/performance.md ("The `corral` CLI start-up") and docs/security.md explain the design.
 */
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const { freshBundle } = require('./load.cjs')

/**
 * Warm processes per pool. A replacement needs ~0.1 s (Node's start-up, mostly) to be ready, so
 * this is the burst served warm: scripts run commands back to back (bench/run.mjs: exec, info,
 * version within 0.1 s; with 2 the third waited 75 ms for a replacement). ~24 MB PSS each.
 */
const POOL_SIZE = 3
/** The modules the bundle loads lazily for a cold run (../scripts/bundle.mjs): a warm process has them loaded. */
const LAZY_BUILTINS = ['https', 'tls', 'crypto', 'child_process', 'readline', 'zlib']
/** Runs that warm the command tree, help and argument parsing (as the code cache's). */
const WARM_RUNS = [['--help'], ['list', '--help'], ['exec', '--help'], ['info', '--help'], ['--version']]

/**
 * Runs the warm-up commands with their output discarded: help, and `version`, `info` and `list`
 * through the real client against a stand-in server in this process (a unix socket in a private
 * directory `dir`), so that config loading, the HTTP client and the renderers are compiled
 * before a command needs them. Node makes process.stdin, stdout and stderr on first use from
 * whatever fds 0-2 are then, and keeps them: they must first be made after the caller's
 * terminal is on 0-2, so the warm-up sees stand-ins (commander asks stdout for its width and
 * colours while it prints help) and the real getters are put back untouched.
 */
async function warm(bundle, dir) {
  const names = ['stdin', 'stdout', 'stderr']
  const real = names.map((n) => Object.getOwnPropertyDescriptor(process, n))
  const standIn = (fd) => ({ fd, isTTY: false, write: () => true, hasColors: () => false, on() {}, off() {} })
  names.forEach((n, fd) => Object.defineProperty(process, n, { configurable: true, get: () => standIn(fd) }))
  const saved = { CORRAL_DIR: process.env.CORRAL_DIR, CORRAL_CONF: process.env.CORRAL_CONF }
  fs.rmSync(dir, { recursive: true, force: true }) // a dead process's of the same pid
  fs.mkdirSync(dir, { mode: 0o700 })
  ownDir(dir)
  const server = require('node:http').createServer((req, res) => {
    const instances = req.url.startsWith('/1.0/instances')
    const metadata = instances
      ? []
      : {
          api_extensions: [],
          api_status: 'stable',
          api_version: '1.0',
          auth: 'trusted',
          config: {},
          public: false,
        }
    res.setHeader('Content-Type', 'application/json')
    res.end(JSON.stringify({ type: 'sync', status: 'Success', status_code: 200, operation: '', metadata }))
  })
  try {
    fs.writeFileSync(path.join(dir, 'config.yml'), 'default-remote: local\n')
    await new Promise((resolve, reject) =>
      server.listen(path.join(dir, 'unix.socket'), resolve).on('error', reject),
    )
    Object.assign(process.env, { CORRAL_DIR: dir, CORRAL_CONF: dir })
    const quiet = { stdout() {}, stderr() {} }
    for (const argv of [...WARM_RUNS, ['version'], ['info'], ['list'], ['list', '--format', 'csv']])
      await bundle.main(argv, quiet)
  } finally {
    server.close()
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    fs.rmSync(dir, { recursive: true, force: true })
    names.forEach((n, i) => Object.defineProperty(process, n, real[i]))
  }
}

/**
 * Throws unless `dir` is a real directory (not a symlink) of our uid with no access for others:
 * the runtime directory and the warm-up directory, which a pool writes into by path.
 */
function ownDir(dir) {
  const st = fs.lstatSync(dir)
  if (!st.isDirectory() || st.uid !== process.getuid() || (st.mode & 0o077) !== 0)
    throw new Error(`${dir}: not a private directory of ours`)
}

/** Writes our pid file: created here (O_EXCL), never through a symlink (O_NOFOLLOW). */
function writePidFile(file) {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants
  fs.rmSync(file, { force: true }) // a dead process's of the same pid
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
  try {
    fs.writeSync(fd, `${process.pid}\n`)
  } finally {
    fs.closeSync(fd)
  }
}

/** Reads the launcher's hand-over body: argv, environment, working directory, umask (launcher.c). */
function parseBody(body) {
  let at = 0
  const u32 = () => {
    const v = body.readUInt32LE(at)
    at += 4
    return v
  }
  const str = () => {
    const end = body.indexOf(0, at)
    if (end < 0) throw new Error('truncated hand-over')
    const s = body.toString('utf8', at, end)
    at = end + 1
    return s
  }
  const args = Array.from({ length: u32() }, str)
  // No prototype: a variable named `constructor` or `__proto__` is the caller's like any other.
  const env = Object.create(null)
  for (let n = u32(); n > 0; n--) {
    const entry = str()
    const eq = entry.indexOf('=')
    if (eq > 0 && !(entry.slice(0, eq) in env)) env[entry.slice(0, eq)] = entry.slice(eq + 1)
  }
  const cwd = str()
  return { args, env, cwd, umask: u32() }
}

/** Makes process.env exactly the caller's (Node's env object writes through to the real environ). */
function replaceEnv(env) {
  for (const k of Object.keys(process.env)) delete process.env[k]
  Object.assign(process.env, env)
}

/**
 * Runs as a pool process: the first one (started by the launcher with CORRAL_CLI_POOL=<socket>)
 * takes the pool's lock and binds its socket, or ends at once when another pool holds the lock;
 * later ones inherit both as fds 3 and 4. Each warms up, waits for one command and runs it.
 */
async function serve() {
  const socket = process.env.CORRAL_CLI_POOL
  const dir = path.dirname(socket)
  const key = path.basename(socket, '.sock')
  const bin = fs.realpathSync(__dirname)
  const dist = fs.realpathSync(path.join(bin, '..', 'dist'))
  const node = process.execPath
  const addon = require('../native/build/resident.node')
  const baseEnv = { ...process.env }
  const idle = 1000 * (Number(baseEnv.CORRAL_CLI_IDLE) > 0 ? Number(baseEnv.CORRAL_CLI_IDLE) : 600)
  const code = addon.codeKey(dist, bin, node)
  const bundle = freshBundle()
  if (!bundle) return // stale or unbuilt (the launcher does not start a pool for one either)
  ownDir(dir) // as the launcher checked it (runtime_dir in launcher.c)
  let listenFd, lockFd, inode
  if (baseEnv.CORRAL_CLI_POOL_INODE) {
    ;[listenFd, lockFd, inode] = [3, 4, Number(baseEnv.CORRAL_CLI_POOL_INODE)]
  } else {
    lockFd = addon.lock(path.join(dir, `${key}.lock`))
    if (lockFd < 0) return
    ;[listenFd, inode] = addon.listen(socket)
  }
  // A pool process shares the lock's open file description: the lock lives while any does.
  const warmEnv = Object.entries({ ...baseEnv, CORRAL_CLI_POOL_INODE: String(inode) }).map(
    ([k, v]) => `${k}=${v}`,
  )
  /** The pool processes this one started (its replacement; the first one's siblings too). */
  const spawned = []
  const spawnWarm = () =>
    spawned.push(addon.spawnWarm(node, [node, path.join(bin, 'corral.cjs')], warmEnv, listenFd, lockFd))
  if (!baseEnv.CORRAL_CLI_POOL_INODE) for (let i = 1; i < POOL_SIZE; i++) spawnWarm()

  for (const m of LAZY_BUILTINS) require(m)
  await warm(bundle, path.join(dir, `${key}.${process.pid}.warm`))
  const pidFile = path.join(dir, `${key}.${process.pid}.pid`)
  writePidFile(pidFile)

  const job = addon.wait(listenFd, socket, inode, idle, key, code, dist, bin, node)
  fs.rmSync(pidFile, { force: true })
  if (!job) {
    // Idle or rebuilt: take the pool's socket and lock file along, when they are still ours
    // (the other warm processes see the socket gone within a second and end too).
    try {
      if (fs.statSync(socket).ino === inode) {
        fs.rmSync(socket, { force: true })
        fs.rmSync(path.join(dir, `${key}.lock`), { force: true })
      }
    } catch {
      // Already gone.
    }
    return
  }
  // Ours now: the exit status goes back to the launcher however this ends (registered first, so
  // that a failure below still reports), a replacement takes our place in the pool, we leave it.
  const { conn } = job
  process.on('exit', (status) => {
    const b = Buffer.alloc(4)
    b.writeUInt32LE((status ?? 0) & 0xff)
    try {
      fs.writeSync(conn, b)
    } catch {
      // The launcher is gone: nobody to tell.
    }
  })
  try {
    spawnWarm()
  } catch {
    // No replacement (out of processes?): the command still runs; the pool is one short until
    // the next cold start.
  }
  // Each is reaped once it has served and exited, should this command still be running then.
  const reaper = setInterval(() => {
    for (let i = spawned.length - 1; i >= 0; i--) if (addon.reap(spawned[i])) spawned.splice(i, 1)
    if (spawned.length === 0) clearInterval(reaper)
  }, 1000)
  reaper.unref()
  fs.closeSync(listenFd)
  fs.closeSync(lockFd)
  // The launcher sends nothing after its go: end of input means it died (SIGKILL); a cold run
  // whose parent and terminal vanish gets SIGHUP, and so does this one.
  const watch = new (require('node:net').Socket)({ fd: conn })
  watch.on('end', () => process.kill(process.pid, 'SIGHUP'))
  watch.on('error', () => process.kill(process.pid, 'SIGHUP'))
  watch.resume()
  watch.unref()

  const { args, env, cwd, umask } = parseBody(job.body)
  replaceEnv(env)
  process.umask(umask)
  try {
    process.chdir(cwd)
  } catch (err) {
    process.stderr.write(`corral: cannot enter ${cwd}: ${err.message}\n`)
    process.exitCode = 1
    return
  }
  process.argv = [node, path.join(bin, 'corral.cjs'), ...args]
  await bundle.run()
}

module.exports = { serve, parseBody }
