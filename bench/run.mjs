#!/usr/bin/env node
// The speed table of issue 18 and the cost curves, corrald beside the reference LXD 5.0.2 in one
// run (start it first: ../shared/tools/reference-lxd start). Both daemons are driven by the same
// stock `lxc` client with the same busybox image, no NIC, dir pools; the operations alternate
// between the two daemons run by run. Prints markdown (paste into docs/performance.md) and
// writes bench/results/run.json. No test asserts any of these times.
// Usage: node bench/run.mjs [--quick] [--runs N] [--skip-lxd] [--skip-restart]
//   --quick: 3 runs, curves at 1/10/20 instances, 5 parallel-launch rows... (a smoke run).
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'skip-lxd': { type: 'boolean', default: false },
    'skip-restart': { type: 'boolean', default: false },
  },
})
const quick = values.quick
const runs = Number(values.runs ?? (quick ? 3 : 7))
const sizes = quick ? [1, 10, 20] : [1, 50, 200]
const listCount = quick ? 10 : 30
const parallel = quick ? [5, 10] : [10, 20]
const runningCount = quick ? 5 : 50
const root = new URL('..', import.meta.url).pathname
const corral = join(root, 'packages/cli/bin/corral')
const tag = `b${process.pid % 100000}`
const home = mkdtempSync('/tmp/corral-bench-home-')
const lxdDir = '/var/lib/lxd'
const started = new Date()

const now = () => Number(process.hrtime.bigint()) / 1e6
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0
    ? undefined
    : s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
/** A pause after a corral CLI command (its warm process's replacement boots meanwhile). */
const settleMs = 500

/** A daemon under test: the stock client's environment for it, and how to reach its socket. */
function target(name, dir, env = {}) {
  return {
    name,
    dir,
    socket: join(dir, 'unix.socket'),
    env: { ...process.env, LXD_DIR: dir, HOME: home, ...env },
  }
}

function timed(cmd, args, env, { check = true } = {}) {
  const t0 = now()
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 900_000 })
  const ms = now() - t0
  if (check && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`)
  return { ms, stdout: r.stdout ?? '', status: r.status }
}
const lxc = (t, args, opts) => timed('lxc', args, t.env, opts)

/** Runs `lxc` commands at once; resolves with the wall time until the last has ended. */
function concurrently(t, commands) {
  const t0 = now()
  return Promise.all(
    commands.map(
      (args) =>
        new Promise((resolve, reject) => {
          const child = spawn('lxc', args, { env: t.env, stdio: ['ignore', 'ignore', 'pipe'] })
          let err = ''
          child.stderr.on('data', (c) => (err += c))
          child.once('close', (code) =>
            code === 0 ? resolve() : reject(new Error(`lxc ${args.join(' ')}: ${err}`)),
          )
        }),
    ),
  ).then(() => now() - t0)
}

/** GET over the daemon's unix socket with curl; the body, or undefined when it does not answer. */
function get(t, path) {
  const r = spawnSync('curl', ['-sf', '--unix-socket', t.socket, `http://x${path}`], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout : undefined
}

function rssKiB(t) {
  const pid = JSON.parse(lxc(t, ['query', '/1.0']).stdout).environment.server_pid
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
}

/** Polls (20 ms) until the API answers with `total` instances of which `running` run; the time it took. */
async function untilReported(t, t0, total, running, limitMs = 600_000) {
  for (;;) {
    const body = get(t, '/1.0/instances?recursion=1')
    if (body) {
      const list = JSON.parse(body).metadata ?? []
      if (list.length === total && list.filter((i) => i.status === 'Running').length === running)
        return now() - t0
    }
    if (now() - t0 > limitMs) throw new Error(`${t.name}: not all instances reported after ${limitMs} ms`)
    await sleep(20)
  }
}

/** Deletes instances eight at a time, each retried alone when its batch failed (LXD sometimes fails a forced delete under load). */
async function cleanup(t, names) {
  for (let i = 0; i < names.length; i += 8) {
    const batch = names.slice(i, i + 8)
    await concurrently(
      t,
      batch.map((x) => ['delete', x, '--force']),
    ).catch(() => {
      for (const x of batch) lxc(t, ['delete', x, '--force'], { check: false })
    })
  }
}

const work = mkdtempSync('/tmp/corral-bench-')
chmodSync(work, 0o711) // containers' root must traverse every ancestor of the state dir
const corralDir = join(work, 'state')
mkdirSync(corralDir)
chmodSync(corralDir, 0o711)
const C = target('corral', corralDir, { CORRAL_DIR: corralDir })
// The corral CLI's warm processes (docs/performance.md) live in a directory of this run's own,
// ended by their pid files at the end; the cold path is measured beside them.
const cliRuntime = join(work, 'cli')
mkdirSync(cliRuntime, { mode: 0o700 })
const warmCli = { ...C.env, CORRAL_CLI_RESIDENT: '1', CORRAL_CLI_RUNTIME_DIR: cliRuntime }
const coldCli = { ...C.env, CORRAL_CLI_RESIDENT: '0' }
let daemon

async function startCorrald() {
  const t0 = now()
  daemon = spawn(process.execPath, [join(root, 'packages/daemon/bin/corrald'), '--group', 'root'], {
    env: { ...process.env, CORRAL_DIR: corralDir },
    stdio: 'ignore',
  })
  while (!get(C, '/internal/ready')) {
    if (daemon.exitCode !== null) throw new Error('corrald exited')
    await sleep(10)
  }
  return t0
}
const exited = (p) =>
  new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', r)))

const targets = [C]
const L = target('lxd', lxdDir)
const results = { corral: {}, lxd: {} }
const record = (t, key, ms) => (results[t.name][key] ??= []).push(ms)

try {
  await startCorrald()
  const image = spawnSync('bash', [join(root, 'scripts/build-busybox-image.sh'), join(work, 'img')], {
    encoding: 'utf8',
  })
  if (image.status !== 0) throw new Error(`image build failed: ${image.stderr}`)
  const tarball = join(work, 'img', 'busybox.tar.xz')
  lxc(C, ['storage', 'create', 'bench', 'dir'])
  if (!values['skip-lxd'] && lxc(L, ['info'], { check: false }).status === 0) targets.push(L)
  else
    console.error(
      'reference LXD not running: corral only (start it with ../shared/tools/reference-lxd start)',
    )
  for (const t of targets) {
    lxc(t, ['image', 'import', tarball, '--alias', `${tag}img`])
    lxc(t, ['profile', 'create', `${tag}p`])
    lxc(t, [
      'profile',
      'device',
      'add',
      `${tag}p`,
      'root',
      'disk',
      'path=/',
      `pool=${t === C ? 'bench' : 'default'}`,
    ])
  }
  const launchArgs = (name) => ['launch', `${tag}img`, name, '-p', `${tag}p`]
  const initArgs = (name) => ['init', `${tag}img`, name, '-p', `${tag}p`]
  const n = (i) => `${tag}-${i}`

  // One launch each first, not measured: corrald's dir pool unpacks the image once (later
  // instances copy it), and both daemons warm their caches. The first corral command starts
  // the CLI's warm processes (it runs cold itself).
  for (const t of targets) {
    lxc(t, launchArgs(n('warm')))
    lxc(t, ['delete', n('warm'), '--force'])
  }
  timed(corral, ['version'], warmCli)
  await sleep(1000)
  // The table: each run alternates the daemons.
  for (let r = 0; r < runs; r++) {
    for (const t of targets) {
      const name = n(`op${r}`)
      // The other daemon's work (a delete's clean-up, the CLI's warm processes booting) settles first.
      await sleep(500)
      record(t, 'launch', lxc(t, launchArgs(name)).ms)
      record(t, 'exec true', lxc(t, ['exec', name, '--', 'true']).ms)
      if (t === C) {
        // After each corral command its warm process's replacement boots (~0.1 s of CPU): the
        // next measurement waits for it, so that neither client is timed beside it.
        record(t, 'corral exec', timed(corral, ['exec', name, '--', 'true'], warmCli).ms)
        await sleep(settleMs)
        // Server info for both (as `lxc info` without an instance).
        record(t, 'corral info', timed(corral, ['info'], warmCli).ms)
        await sleep(settleMs)
        record(t, 'lxc info', lxc(t, ['info']).ms)
        record(t, 'corral version', timed(corral, ['version'], warmCli).ms)
        await sleep(settleMs)
        record(t, 'lxc version', lxc(t, ['version']).ms)
        record(t, 'corral version cold', timed(corral, ['version'], coldCli).ms)
        await sleep(settleMs)
      }
      record(t, 'stop --force', lxc(t, ['stop', name, '--force']).ms)
      record(t, 'start', lxc(t, ['start', name]).ms)
      record(t, 'delete --force', lxc(t, ['delete', name, '--force']).ms)
    }
  }
  for (const t of targets) for (let i = 0; i < listCount; i++) lxc(t, initArgs(n(`l${i}`)))
  for (let r = 0; r < runs; r++) {
    for (const t of targets) {
      record(t, `list ${listCount}`, lxc(t, ['list']).ms)
      if (t === C) {
        record(t, `corral list ${listCount}`, timed(corral, ['list'], warmCli).ms)
        await sleep(settleMs)
      }
    }
  }
  for (const t of targets)
    await cleanup(
      t,
      Array.from({ length: listCount }, (_, i) => n(`l${i}`)),
    )

  // Parallel launches (also a curve): N at once, then deleted at once.
  const parallelRuns = quick ? 1 : 3
  for (const p of parallel) {
    for (let r = 0; r < parallelRuns; r++) {
      for (const t of targets) {
        const names = Array.from({ length: p }, (_, i) => n(`p${p}x${r}x${i}`))
        // The other daemon's deletes of a moment ago slow file creation on ext4 (discard) for a
        // second or so: each batch starts after that has settled.
        await sleep(1500)
        record(t, `parallel ${p}`, await concurrently(t, names.map(launchArgs)))
        await cleanup(t, names)
      }
    }
  }

  // Curves: list and recursion=2 at each size; RSS with `runningCount` running.
  let count = 0
  for (const size of sizes) {
    for (const t of targets) for (let i = count; i < size; i++) lxc(t, initArgs(n(`c${i}`)))
    count = size
    for (let r = 0; r < 5; r++) {
      for (const t of targets) {
        record(t, `list @${size}`, lxc(t, ['list']).ms)
        record(t, `recursion=2 @${size}`, lxc(t, ['query', '/1.0/instances?recursion=2']).ms)
      }
    }
  }
  for (const t of targets) {
    for (let i = 0; i < Math.min(runningCount, count); i++) lxc(t, ['start', n(`c${i}`)])
    await sleep(1000)
    record(t, `rss ${runningCount} running`, rssKiB(t))
  }

  // Daemon shutdown with `runningCount` running (the host going down: SIGPWR for corrald, as
  // `lxd shutdown` for LXD: each container halted cleanly), then the restart until the API
  // answers and every instance is reported, the running ones started again.
  if (!values['skip-restart']) {
    for (const t of targets) {
      const running = Math.min(runningCount, count)
      if (t === C) {
        const t0 = now()
        daemon.kill('SIGPWR')
        await exited(daemon)
        record(t, 'shutdown', now() - t0)
        const t1 = await startCorrald()
        record(t, 'restart', await untilReported(t, t1, count, running))
      } else {
        record(t, 'shutdown', timed('lxd', ['shutdown'], t.env).ms)
        const t1 = now()
        timed('/work/shared/tools/reference-lxd', ['start'], t.env)
        record(t, 'restart', await untilReported(t, t1, count, running))
      }
    }
  }
  for (const t of targets)
    await cleanup(
      t,
      Array.from({ length: count }, (_, i) => n(`c${i}`)),
    )
} catch (err) {
  // What was measured so far is still reported below.
  console.error(`bench stopped early: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
} finally {
  for (const t of targets) {
    if (t === L) {
      // Whatever a failed run left of ours on LXD goes.
      const left = lxc(L, ['list', '--format', 'csv', '-c', 'n'], { check: false }).stdout.split('\n')
      for (const name of left.filter((x) => x.startsWith(`${tag}-`)))
        lxc(L, ['delete', name, '--force'], { check: false })
    }
    lxc(t, ['image', 'delete', `${tag}img`], { check: false })
    lxc(t, ['profile', 'delete', `${tag}p`], { check: false })
  }
  if (daemon && daemon.exitCode === null) {
    const left = lxc(C, ['list', '--format', 'csv', '-c', 'n'], { check: false }).stdout.split('\n')
    for (const name of left.filter(Boolean)) lxc(C, ['delete', name, '--force'], { check: false })
    daemon.kill('SIGTERM')
    await exited(daemon)
  }
  for (const m of readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(work))) {
    spawnSync('umount', ['-l', m.split(' ')[4]])
  }
  for (const f of readdirSync(cliRuntime).filter((x) => x.endsWith('.pid'))) {
    try {
      process.kill(Number(readFileSync(join(cliRuntime, f), 'utf8')), 'SIGTERM')
    } catch {
      // Already gone.
    }
  }
  rmSync(work, { recursive: true, force: true })
  rmSync(home, { recursive: true, force: true })
}

// The report.
const m = (who, key) => median(results[who][key] ?? [])
const ms = (x) =>
  x === undefined ? 'n/a' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`
const ratio = (a, b) => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}×`)
const row = (label, a, b, goal = '') =>
  `| ${label} | ${ms(a)} | ${ms(b)} | ${ratio(a, b)} |${goal ? ` ${goal} |` : ''}`
const lines = [
  `Run ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} CPUs, load average at the end ${loadavg()
    .map((x) => x.toFixed(1))
    .join(
      ' ',
    )}; \`${['node bench/run.mjs', ...process.argv.slice(2)].join(' ')}\`: medians of ${runs} runs (parallel rows: ${quick ? 1 : 3}, curves: 5), wall time of the stock \`lxc\` 5.0.2 client (busybox image, no NIC, dir pools).`,
  '',
  '| operation | corral | LXD 5.0.2 | ratio | goal |',
  '| --- | --- | --- | --- | --- |',
  row('`lxc launch`', m('corral', 'launch'), m('lxd', 'launch'), '≤ 0.4×'),
  row('`lxc start`', m('corral', 'start'), m('lxd', 'start'), '≤ 0.4×'),
  row(
    `${parallel[0]} parallel launches`,
    m('corral', `parallel ${parallel[0]}`),
    m('lxd', `parallel ${parallel[0]}`),
    '≤ 0.4×',
  ),
  row(
    `\`lxc list\`, ${listCount} instances`,
    m('corral', `list ${listCount}`),
    m('lxd', `list ${listCount}`),
    '≤ 0.3×',
  ),
  row('`lxc stop --force`', m('corral', 'stop --force'), m('lxd', 'stop --force'), '≤ 0.3×'),
  row('`lxc delete --force` (running)', m('corral', 'delete --force'), m('lxd', 'delete --force'), '≤ 0.5×'),
  row('`lxc exec true`', m('corral', 'exec true'), m('lxd', 'exec true'), '≤ 0.9×'),
  '',
  'The `corral` CLI beside the stock client, both on the same corrald:',
  '',
  '| command | corral | lxc | ratio | goal |',
  '| --- | --- | --- | --- | --- |',
  row('`exec c -- true`', m('corral', 'corral exec'), m('corral', 'exec true'), '≤ 2.5×'),
  row(
    `\`list\`, ${listCount} instances`,
    m('corral', `corral list ${listCount}`),
    m('corral', `list ${listCount}`),
    '≤ 2.5×',
  ),
  row('`info`', m('corral', 'corral info'), m('corral', 'lxc info'), '≤ 2.5×'),
  row('`version`', m('corral', 'corral version'), m('corral', 'lxc version'), '≤ 2.5×'),
  row('`version`, cold (no warm process)', m('corral', 'corral version cold'), m('corral', 'lxc version')),
  '',
  'Cost curves (same run):',
  '',
  '| measure | corral | LXD 5.0.2 | ratio |',
  '| --- | --- | --- | --- |',
  ...sizes.map((s) => row(`\`lxc list\`, ${s} instances`, m('corral', `list @${s}`), m('lxd', `list @${s}`))),
  ...sizes.map((s) =>
    row(
      `\`GET /1.0/instances?recursion=2\`, ${s} instances`,
      m('corral', `recursion=2 @${s}`),
      m('lxd', `recursion=2 @${s}`),
    ),
  ),
  ...parallel.map((p) =>
    row(`${p} parallel launches`, m('corral', `parallel ${p}`), m('lxd', `parallel ${p}`)),
  ),
  `| daemon RSS, ${runningCount} running | ${((m('corral', `rss ${runningCount} running`) ?? 0) / 1024).toFixed(0)} MiB | ${m('lxd', `rss ${runningCount} running`) ? `${(m('lxd', `rss ${runningCount} running`) / 1024).toFixed(0)} MiB` : 'n/a'} | ${ratio(m('corral', `rss ${runningCount} running`), m('lxd', `rss ${runningCount} running`))} |`,
  row(
    `daemon restart, ${sizes.at(-1)} instances (${runningCount} running): API answers, all reported`,
    m('corral', 'restart'),
    m('lxd', 'restart'),
  ),
  row(`daemon shutdown, ${runningCount} running`, m('corral', 'shutdown'), m('lxd', 'shutdown')),
]
console.log(lines.join('\n'))
mkdirSync(join(root, 'bench/results'), { recursive: true })
writeFileSync(
  join(root, 'bench/results/run.json'),
  JSON.stringify({ started, quick, runs, results }, null, 2),
)
