#!/usr/bin/env node
// Container benchmarks, corrald beside a reference LXD 5.0.2 (started by ../shared/tools/reference-lxd
// start), both driven by the same stock `lxc` client with the same busybox image and no NIC:
// launch, start, stop --force, exec round trip, GET /1.0/instances?recursion=2 and `lxc list` at
// 1/50/200 instances, daemon RSS with 50 running; and, for corrald only, creation time from a 1 MB
// and a 200 MB image on a btrfs (copy-on-write) pool. Prints markdown; writes bench/results/containers.json.
// Usage: node bench/containers.mjs [--runs N] [--max 200] [--running 50] [--skip-lxd]
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { stopDaemonAndClean } from './teardown.mjs'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    max: { type: 'string', default: '200' },
    running: { type: 'string', default: '50' },
    'skip-lxd': { type: 'boolean', default: false },
  },
})
const runs = Number(values.runs)
const sizes = [1, 50, Number(values.max)].filter((n, i, a) => n <= Number(values.max) && a.indexOf(n) === i)
const running = Number(values.running)
const root = new URL('..', import.meta.url).pathname
const tag = `bn${process.pid}`
const home = mkdtempSync('/tmp/corral-bench-home-')

function lxcIn(lxdDir, args, { check = true } = {}) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('lxc', args, {
    env: { ...process.env, LXD_DIR: lxdDir, HOME: home },
    encoding: 'utf8',
    timeout: 600_000,
  })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (check && r.status !== 0) throw new Error(`lxc ${args.join(' ')} (${lxdDir}): ${r.stderr}`)
  return { ms, stdout: r.stdout, status: r.status }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

function rssKiB(lxdDir) {
  const pid = JSON.parse(lxcIn(lxdDir, ['query', '/1.0']).stdout).environment.server_pid
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
}

function buildImage(dir, padMb = 0) {
  const args = [
    join(root, 'scripts/build-busybox-image.sh'),
    ...(padMb ? ['--pad-mb', String(padMb)] : []),
    dir,
  ]
  const r = spawnSync('bash', args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`image build failed: ${r.stderr}`)
  return join(dir, 'busybox.tar.xz')
}

/** Runs the suite against one daemon; `profile` has a root disk and no NIC. */
function suite(lxdDir, profile) {
  const out = { ops: {}, list: {}, recursion2: {}, rss: {} }
  const name = (i) => `${tag}-${i}`
  const launch = [],
    start = [],
    stop = [],
    exec = []
  for (let i = 0; i < runs; i++) {
    launch.push(lxcIn(lxdDir, ['launch', 'bbbench', name(i), '-p', profile]).ms)
    exec.push(lxcIn(lxdDir, ['exec', name(i), '--', 'true']).ms)
    stop.push(lxcIn(lxdDir, ['stop', name(i), '--force']).ms)
    start.push(lxcIn(lxdDir, ['start', name(i)]).ms)
    lxcIn(lxdDir, ['stop', name(i), '--force'])
    lxcIn(lxdDir, ['delete', name(i)])
  }
  Object.assign(out.ops, {
    launch: median(launch),
    start: median(start),
    'stop --force': median(stop),
    'exec true': median(exec),
  })
  let count = 0
  for (const n of sizes) {
    for (; count < n; count++) lxcIn(lxdDir, ['init', 'bbbench', name(count), '-p', profile])
    const list = [],
      rec = []
    for (let i = 0; i < 5; i++) {
      list.push(lxcIn(lxdDir, ['list', '--format', 'csv']).ms)
      rec.push(lxcIn(lxdDir, ['query', '/1.0/instances?recursion=2']).ms)
    }
    out.list[n] = median(list)
    out.recursion2[n] = median(rec)
  }
  for (let i = 0; i < Math.min(running, count); i++) lxcIn(lxdDir, ['start', name(i)])
  out.rss[`${Math.min(running, count)} running`] = rssKiB(lxdDir)
  for (let i = 0; i < count; i++) {
    lxcIn(lxdDir, ['stop', name(i), '--force'], { check: false })
    lxcIn(lxdDir, ['delete', name(i)])
  }
  return out
}

function setupProfile(lxdDir, pool) {
  lxcIn(lxdDir, ['profile', 'create', `${tag}p`])
  lxcIn(lxdDir, ['profile', 'device', 'add', `${tag}p`, 'root', 'disk', 'path=/', `pool=${pool}`])
  return `${tag}p`
}

const work = mkdtempSync('/tmp/corral-bench-')
chmodSync(work, 0o711) // containers' root must traverse every ancestor of the state dir
const results = {}
const corralDir = join(work, 'state')
mkdirSync(corralDir)
chmodSync(corralDir, 0o711)
const daemon = spawn(process.execPath, [join(root, 'packages/daemon/bin/corrald'), '--group', 'root'], {
  env: { ...process.env, CORRAL_DIR: corralDir },
  stdio: 'ignore',
})
try {
  for (let i = 0; i < 100 && !existsSync(join(corralDir, 'unix.socket')); i++) spawnSync('sleep', ['0.05'])
  spawnSync('sleep', ['0.3'])
  const small = buildImage(join(work, 'small'))
  lxcIn(corralDir, ['storage', 'create', 'bench', 'dir'])
  lxcIn(corralDir, ['image', 'import', small, '--alias', 'bbbench'])
  results.corral = suite(corralDir, setupProfile(corralDir, 'bench'))

  // Copy-on-write: creation time from a 1 MB and a 200 MB image on btrfs (the first instance
  // of each image fills the cached image volume; later ones are snapshots of it).
  const big = buildImage(join(work, 'big'), 200)
  lxcIn(corralDir, ['storage', 'create', 'cow', 'btrfs', 'size=4GiB'])
  lxcIn(corralDir, ['image', 'import', big, '--alias', 'bbbig'])
  const cow = {}
  for (const [label, alias] of [
    ['1 MB image', 'bbbench'],
    ['200 MB image', 'bbbig'],
  ]) {
    lxcIn(corralDir, ['init', alias, `${tag}-warm`, '-s', 'cow'])
    const times = []
    for (let i = 0; i < runs; i++)
      times.push(lxcIn(corralDir, ['init', alias, `${tag}-cow${i}`, '-s', 'cow']).ms)
    for (let i = 0; i < runs; i++) lxcIn(corralDir, ['delete', `${tag}-cow${i}`])
    lxcIn(corralDir, ['delete', `${tag}-warm`])
    cow[label] = median(times)
  }
  results.cow = cow
  lxcIn(corralDir, ['image', 'delete', 'bbbig'])
  lxcIn(corralDir, ['storage', 'delete', 'cow'])

  const lxdDir = '/var/lib/lxd'
  if (!values['skip-lxd'] && lxcIn(lxdDir, ['info'], { check: false }).status === 0) {
    lxcIn(lxdDir, ['image', 'import', small, '--alias', 'bbbench'])
    try {
      results.lxd = suite(lxdDir, setupProfile(lxdDir, 'default'))
    } finally {
      lxcIn(lxdDir, ['image', 'delete', 'bbbench'], { check: false })
      lxcIn(lxdDir, ['profile', 'delete', `${tag}p`], { check: false })
    }
  }
} finally {
  await stopDaemonAndClean(daemon, corralDir, work, home)
}

const f = (x) => (x === undefined ? 'n/a' : `${x.toFixed(0)} ms`)
const ratio = (a, b) => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}×`)
const rows = (label, c, l) => `| ${label} | ${f(c)} | ${f(l)} | ${ratio(c, l)} |`
const lines = [
  `Medians of ${runs} runs (5 for list rows), wall time of the stock \`lxc\` client, same busybox image, no NIC, dir pool.`,
  '',
  '| operation | corral | LXD 5.0.2 | ratio (corral/LXD) |',
  '| --- | --- | --- | --- |',
  ...Object.keys(results.corral.ops).map((k) =>
    rows(`\`lxc ${k}\``, results.corral.ops[k], results.lxd?.ops[k]),
  ),
  ...sizes.map((n) => rows(`\`lxc list\`, ${n} instances`, results.corral.list[n], results.lxd?.list[n])),
  ...sizes.map((n) =>
    rows(
      `\`GET /1.0/instances?recursion=2\`, ${n} instances`,
      results.corral.recursion2[n],
      results.lxd?.recursion2[n],
    ),
  ),
  ...Object.keys(results.corral.rss).map(
    (k) =>
      `| daemon RSS, ${k} | ${(results.corral.rss[k] / 1024).toFixed(0)} MiB | ${results.lxd ? (results.lxd.rss[k] / 1024).toFixed(0) + ' MiB' : 'n/a'} | ${ratio(results.corral.rss[k], results.lxd?.rss[k])} |`,
  ),
  '',
  'Copy-on-write (corrald, btrfs pool, `lxc init`, image volume already cached):',
  '',
  '| image | create time |',
  '| --- | --- |',
  ...Object.entries(results.cow).map(([k, v]) => `| ${k} | ${f(v)} |`),
]
if (!results.lxd) lines.push('', 'LXD not measured (start it with ../shared/tools/reference-lxd start).')
console.log(lines.join('\n'))
mkdirSync(join(root, 'bench/results'), { recursive: true })
writeFileSync(
  join(root, 'bench/results/containers.json'),
  JSON.stringify({ date: new Date().toISOString(), runs, results }, null, 2),
)
