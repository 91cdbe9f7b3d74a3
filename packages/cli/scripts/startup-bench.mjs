#!/usr/bin/env node
// Wall time of `corral version|info|list|exec C -- true`, warm (a pool), cold and the stock `lxc`
// client, against the corrald of $CORRAL_DIR (LXD_DIR for lxc): the figures of docs/performance.md
// ("The `corral` CLI start-up"). Usage: CORRAL_DIR=... node startup-bench.mjs INSTANCE [RUNS]
// Each run is spawned alone with a pause before it (as commands typed at a shell are, and so that
// a warm process's replacement has warmed up); medians, with the spawn overhead of `true` shown.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const [instance, runsArg] = process.argv.slice(2)
if (!instance || !process.env.CORRAL_DIR) {
  console.error('usage: CORRAL_DIR=<state dir> node startup-bench.mjs INSTANCE [RUNS]')
  process.exit(2)
}
const runs = Number(runsArg ?? 21)
const corral = new URL('../bin/corral', import.meta.url).pathname
const runtime = mkdtempSync('/tmp/corral-cli-bench-')
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

function time(cmd, args, env) {
  const t = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`)
  return ms
}

function median(cmd, args, env) {
  time(cmd, args, env) // the first, to start a pool or fill the page cache
  const all = []
  for (let i = 0; i < runs; i++) {
    pause(300)
    all.push(time(cmd, args, env))
  }
  all.sort((a, b) => a - b)
  return all[runs >> 1]
}

const commands = {
  version: ['version'],
  info: ['info'],
  list: ['list'],
  'exec true': ['exec', instance, '--', 'true'],
}
const warm = { CORRAL_CLI_RESIDENT: '1', CORRAL_CLI_RUNTIME_DIR: runtime }
const cold = { CORRAL_CLI_RESIDENT: '0' }
const lxd = { LXD_DIR: process.env.CORRAL_DIR }
console.log(`spawn overhead (true): ${median('true', [], {}).toFixed(1)} ms; ${runs} runs each`)
console.log('| command | corral warm | corral cold | lxc | warm / lxc |')
console.log('| --- | --- | --- | --- | --- |')
try {
  for (const [name, args] of Object.entries(commands)) {
    const w = median(corral, args, warm)
    const c = median(corral, args, cold)
    const l = median('lxc', args, lxd)
    console.log(
      `| ${name} | ${w.toFixed(0)} ms | ${c.toFixed(0)} ms | ${l.toFixed(0)} ms | ${(w / l).toFixed(2)}× |`,
    )
  }
} finally {
  // End the pool this run started: by the pids its warm processes wrote, then its directory.
  for (const f of readdirSync(runtime).filter((n) => n.endsWith('.pid'))) {
    try {
      process.kill(Number(readFileSync(join(runtime, f), 'utf8')), 'SIGTERM')
    } catch {
      // Already gone.
    }
  }
  rmSync(runtime, { recursive: true, force: true })
}
