#!/usr/bin/env node
// Measures GET /1.0 and GET /1.0/profiles?recursion=1 latency over the unix socket (p50/p99),
// for corrald and, when its socket answers, for a reference LXD 5.0.2 started by
// ../shared/tools/reference-lxd start. Prints a markdown table; writes bench/results/api-latency.json.
// Usage: node bench/api-latency.mjs [--samples N] [--profiles N]
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: { samples: { type: 'string', default: '2000' }, profiles: { type: 'string', default: '10' } },
})
const samples = Number(values.samples)
const profileCount = Number(values.profiles)
const root = new URL('..', import.meta.url).pathname
const lxdSocket = process.env.LXD_SOCKET ?? '/var/lib/lxd/unix.socket'

function call(agent, socketPath, method, path, body) {
  return new Promise((resolve, reject) => {
    const req = request({ agent, socketPath, method, path, headers: { Host: 'bench' } }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }))
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

async function measure(socketPath, path) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  for (let i = 0; i < Math.min(200, samples); i++) await call(agent, socketPath, 'GET', path)
  const times = []
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint()
    const res = await call(agent, socketPath, 'GET', path)
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
    if (res.status !== 200) throw new Error(`${path} → ${res.status}: ${res.text.slice(0, 200)}`)
  }
  agent.destroy()
  times.sort((a, b) => a - b)
  const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]
  return { p50: pct(50), p99: pct(99) }
}

async function withProfiles(socketPath, fn) {
  const names = Array.from({ length: profileCount }, (_v, i) => `bench-${process.pid}-${i}`)
  for (const name of names)
    await call(undefined, socketPath, 'POST', '/1.0/profiles', { name, config: { 'limits.cpu': '1' } })
  try {
    return await fn()
  } finally {
    for (const name of names) await call(undefined, socketPath, 'DELETE', `/1.0/profiles/${name}`)
  }
}

async function bench(socketPath) {
  return withProfiles(socketPath, async () => ({
    root: await measure(socketPath, '/1.0'),
    profiles: await measure(socketPath, '/1.0/profiles?recursion=1'),
  }))
}

async function answers(socketPath) {
  if (!existsSync(socketPath)) return false
  try {
    return (await call(undefined, socketPath, 'GET', '/1.0')).status === 200
  } catch {
    return false
  }
}

const dir = mkdtempSync('/tmp/corral-bench-')
const daemon = spawn(process.execPath, [join(root, 'packages/daemon/bin/corrald'), '--group', 'root'], {
  env: { ...process.env, CORRAL_DIR: dir },
  stdio: 'ignore',
})
const results = {}
try {
  const socket = join(dir, 'unix.socket')
  for (let i = 0; i < 100 && !(await answers(socket)); i++) await new Promise((r) => setTimeout(r, 50))
  results.corral = await bench(socket)
  if (await answers(lxdSocket)) results.lxd = await bench(lxdSocket)
} finally {
  daemon.kill('SIGTERM')
  await new Promise((r) => daemon.once('exit', r))
  rmSync(dir, { recursive: true, force: true })
}

const f = (x) => (x === undefined ? 'n/a' : `${x.toFixed(3)} ms`)
const ratio = (a, b) => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}×`)
const rows = [
  ['GET /1.0', 'root'],
  [`GET /1.0/profiles?recursion=1 (${profileCount + 1} profiles)`, 'profiles'],
]
const lines = [
  `${samples} sequential requests per row over the unix socket, keep-alive, after 200 warm-up requests.`,
  '',
  '| request | corral p50 | corral p99 | LXD 5.0.2 p50 | LXD 5.0.2 p99 | p50 ratio (corral/LXD) |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map(([label, key]) => {
    const c = results.corral[key]
    const l = results.lxd?.[key]
    return `| ${label} | ${f(c.p50)} | ${f(c.p99)} | ${f(l?.p50)} | ${f(l?.p99)} | ${ratio(c.p50, l?.p50)} |`
  }),
]
if (!results.lxd)
  lines.push(
    '',
    `LXD not measured: nothing answers on ${lxdSocket} (start it with ../shared/tools/reference-lxd start).`,
  )
console.log(lines.join('\n'))
mkdirSync(join(root, 'bench/results'), { recursive: true })
writeFileSync(
  join(root, 'bench/results/api-latency.json'),
  JSON.stringify({ date: new Date().toISOString(), samples, results }, null, 2),
)
