/**
 * @module System tier: host resources as the stock client shows them. `lxc info --resources`
 * against /proc/cpuinfo and /proc/meminfo, `lxc storage info` against df(1) for the pool's path.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ pool: true })
if (skip) console.log(`# skipping resources system tests: ${skip}`)
const btrfs = `crl${process.pid % 100000}rb`
const btrfsSkip =
  skip ??
  (run('which', ['mkfs.btrfs']).status !== 0 || !readFileSync('/proc/filesystems', 'utf8').includes('btrfs')
    ? 'no btrfs here (scripts/install-deps.sh installs btrfs-progs)'
    : undefined)
let s: LxcSession

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-resources', { pool: true })
})

after(async () => {
  if (skip || !s) return
  s.lxc(['storage', 'volume', 'delete', btrfs, 'rv1'])
  s.lxc(['storage', 'delete', btrfs])
  await s.close()
})

/** Bytes of an IEC size as the client prints it (`3.83GiB`). */
function bytesOf(text: string): number {
  const m = /^([\d.]+)(B|KiB|MiB|GiB|TiB)$/.exec(text.trim())
  assert.ok(m, `a size: ${text}`)
  const power = ['B', 'KiB', 'MiB', 'GiB', 'TiB'].indexOf(m[2]!)
  return Number(m[1]) * 1024 ** power
}

test('lxc info --resources matches /proc/cpuinfo and /proc/meminfo', { skip }, () => {
  const out = s.must(['info', '--resources'])
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')
  const processors = cpuinfo.split('\n').filter((l) => /^processor\s*:/.test(l)).length
  const threads = out
    .split('\n')
    .filter((l) => /^\s+- \d+ \(id: \d+, online: (true|false), NUMA node: \d+\)$/.test(l))
  assert.equal(threads.length, processors, out)
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]
  if (model) assert.match(out, new RegExp(`Name: ${model.replace(/[()]/g, '\\$&')}`))
  const sockets = new Set(
    cpuinfo
      .split('\n')
      .filter((l) => l.startsWith('physical id'))
      .map((l) => l.split(':')[1]!.trim()),
  )
  if (sockets.size === 1) assert.match(out, /^CPU \(x86_64|aarch64\):/m)
  const memTotal = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024
  const memory = out.slice(out.indexOf('\nMemory:'))
  const total = /^ {2}Total: (\S+)$/m.exec(memory)?.[1]
  assert.ok(total, out)
  // The client prints two decimals: within 0.5% of MemTotal.
  assert.ok(Math.abs(bytesOf(total) - memTotal) / memTotal < 0.005, `${total} vs ${memTotal}`)
  const used = bytesOf(/^ {2}Used: (\S+)$/m.exec(memory)![1]!)
  assert.ok(used > 0 && used < memTotal)
})

/** df's size and used bytes for a path. */
function df(path: string): { size: number; used: number } {
  const lines = run('df', ['-B1', '--output=size,used', path]).stdout.trim().split('\n')
  const [size, used] = lines[1]!.trim().split(/\s+/).map(Number)
  return { size: size!, used: used! }
}

/** `lxc storage info --bytes` as numbers. */
function storageInfo(pool: string): { total: number; used: number } {
  const out = s.must(['storage', 'info', pool, '--bytes'])
  return {
    total: Number(/total space: "?(\d+)/.exec(out)?.[1]),
    used: Number(/space used: "?(\d+)/.exec(out)?.[1]),
  }
}

test('lxc storage info matches df for a dir pool', { skip }, () => {
  const info = storageInfo('default')
  const d = df(join(s.dir, 'storage-pools', 'default'))
  assert.equal(info.total, d.size)
  // Other tests write to the same file system meanwhile: used agrees within 256 MiB.
  assert.ok(Math.abs(info.used - d.used) < 256 * 1024 ** 2, `${info.used} vs ${d.used}`)
  assert.match(s.must(['storage', 'info', 'default']), /total space: [\d.]+[KMGT]?i?B/)
})

test(
  'lxc storage info matches df for a btrfs pool, and lists its volumes as users',
  { skip: btrfsSkip },
  () => {
    s.must(['storage', 'create', btrfs, 'btrfs', 'size=512MiB'])
    s.must(['storage', 'volume', 'create', btrfs, 'rv1'])
    const info = storageInfo(btrfs)
    const d = df(join(s.dir, 'storage-pools', btrfs))
    assert.equal(info.total, d.size)
    assert.ok(Math.abs(info.used - d.used) < 16 * 1024 ** 2, `${info.used} vs ${d.used}`)
    assert.match(s.must(['storage', 'info', btrfs]), /volumes:\n\s+- rv1/)
    assert.match(s.lxc(['storage', 'delete', btrfs]).stderr, /in use/)
    s.must(['storage', 'volume', 'delete', btrfs, 'rv1'])
    s.must(['storage', 'delete', btrfs])
  },
)
