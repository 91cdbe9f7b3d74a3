#!/usr/bin/env node
// Spoofing-filter benchmark, for each firewall driver (nftables, xtables): time to apply the
// MAC + IPv4 + IPv6 filter of N bridged NICs one after the other (as N instances starting),
// the rule count per NIC, and the time to remove them all. The rules name interfaces that
// need not exist (crtb<pid>_<i>), so no container is started; a per-run table name keeps the
// host's other rules untouched, and everything is removed at the end.
// Usage: node bench/nic-filters.mjs [--nics 100] [--runs 3]
// Prints markdown; writes bench/results/nic-filters.json. Run as root after `npm run build`.
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: { nics: { type: 'string', default: '100' }, runs: { type: 'string', default: '3' } },
})
const nics = Number(values.nics)
const runs = Number(values.runs)
const root = new URL('..', import.meta.url).pathname
const { nftablesFirewall } = await import(`${root}packages/daemon/dist/src/firewall/nftables.js`)
const { xtablesFirewall } = await import(`${root}packages/daemon/dist/src/firewall/xtables.js`)
const { hostRunner } = await import(`${root}packages/daemon/dist/src/host/runner.js`)

const table = `corral_bench${process.pid}`
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const filter = (i) => ({
  label: `bench${i}.eth0`,
  hostName: `crtb${process.pid % 10000}_${i}`,
  hwaddr: `00:16:3e:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`,
  ipv4: [`198.18.${100 + (i >> 8)}.${(i & 0xff) + 1}`],
  ipv6: [`fd42:be::${(i + 1).toString(16)}`, `fe80::216:3eff:fe00:${(i + 1).toString(16)}`],
})

/** Rules the driver has in place for the bench's interfaces. */
function ruleCount(name) {
  const tag = `crtb${process.pid % 10000}_`
  if (name === 'nftables') {
    const r = spawnSync('nft', ['list', 'table', 'bridge', table], { encoding: 'utf8' })
    return r.status === 0 ? r.stdout.split('\n').filter((l) => l.includes(tag)).length : 0
  }
  const listed = [
    spawnSync('ebtables', ['-t', 'filter', '-L', 'INPUT'], { encoding: 'utf8' }).stdout,
    spawnSync('ebtables', ['-t', 'filter', '-L', 'FORWARD'], { encoding: 'utf8' }).stdout,
    spawnSync('ip6tables', ['-w', '-t', 'raw', '-S', 'PREROUTING'], { encoding: 'utf8' }).stdout,
  ].join('\n')
  return listed.split('\n').filter((l) => l.includes(tag)).length
}

const tablesBefore = spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' }).stdout
const results = {}
for (const name of ['nftables', 'xtables']) {
  const fw = name === 'nftables' ? nftablesFirewall(hostRunner, table) : xtablesFirewall(hostRunner, table)
  const apply = []
  const remove = []
  let perNic = 0
  for (let run = 0; run < runs; run++) {
    let t0 = process.hrtime.bigint()
    for (let i = 0; i < nics; i++) await fw.nicFilterApply(filter(i))
    apply.push(Number(process.hrtime.bigint() - t0) / 1e6)
    perNic = ruleCount(name) / nics
    t0 = process.hrtime.bigint()
    for (let i = 0; i < nics; i++) await fw.nicFilterRemove(filter(i).label, filter(i).hostName)
    remove.push(Number(process.hrtime.bigint() - t0) / 1e6)
    if (ruleCount(name) !== 0) throw new Error(`${name}: rules left after removal`)
  }
  results[name] = { nics, runs, applyMs: median(apply), removeMs: median(remove), rulesPerNic: perNic }
}
// The xtables tools create their base tables on first use; drop those this run created, if empty.
for (const line of spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' }).stdout.split('\n')) {
  if (!line.startsWith('table ') || tablesBefore.includes(line)) continue
  const t = line.slice('table '.length).split(' ')
  const text = spawnSync('nft', ['list', 'table', ...t], { encoding: 'utf8' }).stdout.replace(
    /policy \w+;/g,
    '',
  )
  if (!/(accept|drop|jump|counter)/.test(text)) spawnSync('nft', ['delete', 'table', ...t])
}

console.log(
  `| driver | NICs | apply all (ms, median of ${runs}) | per NIC (ms) | rules per NIC | remove all (ms) |`,
)
console.log('| --- | --- | --- | --- | --- | --- |')
for (const [name, r] of Object.entries(results)) {
  console.log(
    `| ${name} | ${r.nics} | ${r.applyMs.toFixed(0)} | ${(r.applyMs / r.nics).toFixed(1)} | ${r.rulesPerNic} | ${r.removeMs.toFixed(0)} |`,
  )
}
mkdirSync(`${root}bench/results`, { recursive: true })
writeFileSync(`${root}bench/results/nic-filters.json`, `${JSON.stringify(results, null, 2)}\n`)
