#!/usr/bin/env node
// `lxc copy` of a stopped instance on one corrald, driven by the stock `lxc` client: the time
// on a btrfs pool (a subvolume snapshot) and on a dir pool (cp -a), for the busybox image alone
// and with 200 MB more written into the source. corrald only (no reference LXD is needed:
// the point is that the btrfs time does not grow with the data). Prints markdown; writes
// bench/results/instance-copy.json.
// Usage: node bench/instance-copy.mjs [--runs N] [--mb 200]
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { stopDaemonAndClean } from './teardown.mjs'

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, mb: { type: 'string', default: '200' } },
})
const runs = Number(values.runs)
const mb = Number(values.mb)
const root = new URL('..', import.meta.url).pathname
const tag = `bc${process.pid}`
const home = mkdtempSync('/tmp/corral-bench-copy-home-')
const work = mkdtempSync('/tmp/corral-bench-copy-')
chmodSync(work, 0o711)
const dir = join(work, 'state')
mkdirSync(dir)
chmodSync(dir, 0o711)

function lxc(args) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('lxc', args, {
    env: { ...process.env, LXD_DIR: dir, HOME: home },
    encoding: 'utf8',
    timeout: 600_000,
  })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`lxc ${args.join(' ')}: ${r.stderr}`)
  return ms
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const daemon = spawn(process.execPath, [join(root, 'packages/daemon/bin/corrald'), '--group', 'root'], {
  env: { ...process.env, CORRAL_DIR: dir },
  stdio: 'ignore',
})
const results = {}
try {
  for (let i = 0; i < 100 && !existsSync(join(dir, 'unix.socket')); i++) spawnSync('sleep', ['0.05'])
  spawnSync('sleep', ['0.3'])
  const built = spawnSync('bash', [join(root, 'scripts/build-busybox-image.sh'), join(work, 'img')], {
    encoding: 'utf8',
  })
  if (built.status !== 0) throw new Error(`image build failed: ${built.stderr}`)
  lxc(['image', 'import', join(work, 'img', 'busybox.tar.xz'), '--alias', 'bb'])
  lxc(['storage', 'create', 'plain', 'dir'])
  lxc(['storage', 'create', 'cow', 'btrfs', `size=${Math.max(4, Math.ceil((mb * 8) / 1024) + 2)}GiB`])
  for (const pool of ['cow', 'plain']) {
    const src = `${tag}-${pool}`
    lxc(['init', 'bb', src, '-s', pool])
    for (const label of ['image alone', `+${mb} MB`]) {
      if (label !== 'image alone') {
        const file = join(dir, 'storage-pools', pool, 'containers', src, 'rootfs', 'big')
        const r = spawnSync('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', `count=${mb}`, 'conv=fsync'], {
          encoding: 'utf8',
        })
        if (r.status !== 0) throw new Error(r.stderr)
      }
      const times = []
      for (let i = 0; i < runs; i++) {
        times.push(lxc(['copy', src, `${src}-c${i}`]))
        lxc(['delete', `${src}-c${i}`])
      }
      results[`${pool} ${label}`] = median(times)
    }
    lxc(['delete', src])
  }
  lxc(['storage', 'delete', 'cow'])
} finally {
  await stopDaemonAndClean(daemon, dir, work, home)
}

const lines = [
  `Medians of ${runs} runs, wall time of the stock \`lxc copy\` (stopped source, no snapshots).`,
  '',
  '| pool | source | copy time |',
  '| --- | --- | --- |',
  ...Object.entries(results).map(([k, v]) => {
    const [pool, ...rest] = k.split(' ')
    return `| ${pool === 'cow' ? 'btrfs' : 'dir'} | ${rest.join(' ')} | ${v.toFixed(0)} ms |`
  }),
]
console.log(lines.join('\n'))
mkdirSync(join(root, 'bench/results'), { recursive: true })
writeFileSync(
  join(root, 'bench/results/instance-copy.json'),
  JSON.stringify({ date: new Date().toISOString(), runs, mb, results }, null, 2),
)
