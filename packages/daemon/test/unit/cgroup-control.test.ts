/** @module Unit: the freezer and live limits on a cgroup, v1 and v2 layouts, in a directory standing in for /sys/fs/cgroup. */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import {
  applyLimits,
  freezeCgroup,
  freezerState,
  limitWrites,
  thawCgroup,
  type CgroupTarget,
} from '../../src/host/cgroup-control.js'
import { cgroupTargetOf } from '../../src/host/cgroups.js'

const base = mkdtempSync(join(tmpdir(), 'corral-cgctl-'))
after(() => rmSync(base, { recursive: true, force: true }))

/** A v2 cgroup directory whose kernel side (cgroup.events) the test plays. */
function v2(name: string): { t: CgroupTarget; dir: string } {
  const dir = join(base, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'cgroup.freeze'), '0\n')
  writeFileSync(join(dir, 'cgroup.events'), 'populated 1\nfrozen 0\n')
  return { t: { version: 'v2', dir: () => dir }, dir }
}

/** Plays the kernel: once cgroup.freeze says `want`, cgroup.events follows after a moment. */
function kernelFollows(dir: string, ms = 30): NodeJS.Timeout {
  return setInterval(() => {
    const want = readFileSync(join(dir, 'cgroup.freeze'), 'utf8').trim()
    setTimeout(() => writeFileSync(join(dir, 'cgroup.events'), `populated 1\nfrozen ${want}\n`), ms)
  }, 10)
}

test('v2: freeze writes cgroup.freeze and waits for cgroup.events to say frozen; thaw undoes it', async () => {
  const { t, dir } = v2('a')
  assert.equal(freezerState(t), 'thawed')
  const k = kernelFollows(dir)
  try {
    await freezeCgroup(t, 2000)
    assert.equal(readFileSync(join(dir, 'cgroup.freeze'), 'utf8'), '1')
    assert.equal(freezerState(t), 'frozen')
    await thawCgroup(t, 2000)
    assert.equal(readFileSync(join(dir, 'cgroup.freeze'), 'utf8'), '0')
    assert.equal(freezerState(t), 'thawed')
  } finally {
    clearInterval(k)
  }
})

test('v2: processes that never stop are thawed again and the freeze fails', async () => {
  const { t, dir } = v2('b')
  await assert.rejects(freezeCgroup(t, 150), /did not stop in time/)
  assert.equal(readFileSync(join(dir, 'cgroup.freeze'), 'utf8'), '0', 'nothing is left half frozen')
})

test('v1: freezer.state FROZEN / THAWED; a missing cgroup has no state', async () => {
  const dir = join(base, 'v1', 'freezer', 'c')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'freezer.state'), 'THAWED\n')
  const t: CgroupTarget = { version: 'v1', dir: (c) => join(base, 'v1', c, 'c') }
  assert.equal(freezerState(t), 'thawed')
  await freezeCgroup(t, 500)
  assert.equal(readFileSync(join(dir, 'freezer.state'), 'utf8'), 'FROZEN')
  await thawCgroup(t, 500)
  assert.equal(freezerState(t), 'thawed')
  assert.equal(freezerState({ version: 'v1', dir: () => join(base, 'nope') }), undefined)
})

test('v2 limits: memory.max, cpuset.cpus, pids.max; lifted limits are "max" and an empty cpuset', () => {
  const { t, dir } = v2('lim')
  assert.deepEqual(limitWrites(t, { memory: 134217728, cpus: '0-1', processes: 100 }), [
    { file: join(dir, 'memory.max'), value: '134217728' },
    { file: join(dir, 'cpuset.cpus'), value: '0-1' },
    { file: join(dir, 'pids.max'), value: '100' },
  ])
  assert.deepEqual(limitWrites(t, { memory: null, cpus: null, processes: null }), [
    { file: join(dir, 'memory.max'), value: 'max' },
    { file: join(dir, 'cpuset.cpus'), value: '' },
    { file: join(dir, 'pids.max'), value: 'max' },
  ])
  assert.deepEqual(limitWrites(t, {}), [], 'unchanged keys write nothing')
})

test('v1 limits: limit_in_bytes (-1 lifts), the parent cpuset when lifted; bad values refused at the sink', () => {
  const root = join(base, 'v1l')
  for (const c of ['memory', 'cpuset', 'pids']) mkdirSync(join(root, c, 'c'), { recursive: true })
  writeFileSync(join(root, 'cpuset', 'cpuset.cpus'), '0-3\n')
  const t: CgroupTarget = { version: 'v1', dir: (c) => join(root, c, 'c') }
  assert.deepEqual(limitWrites(t, { memory: null, cpus: null, processes: 5 }), [
    { file: join(root, 'memory', 'c', 'memory.limit_in_bytes'), value: '-1' },
    { file: join(root, 'cpuset', 'c', 'cpuset.cpus'), value: '0-3' },
    { file: join(root, 'pids', 'c', 'pids.max'), value: '5' },
  ])
  assert.throws(() => limitWrites(t, { cpus: '0\n1' }), /Refusing cpuset/)
  assert.throws(() => limitWrites(t, { memory: -5 }), /not a count/)
  assert.throws(() => limitWrites(t, { processes: 1.5 }), /not a count/)
})

test('a refused write sets back the limits written before it', () => {
  const root = join(base, 'undo')
  mkdirSync(join(root, 'memory', 'c'), { recursive: true })
  writeFileSync(join(root, 'memory', 'c', 'memory.limit_in_bytes'), '1000')
  // No pids directory: the pids.max write fails after the memory write succeeded.
  const t: CgroupTarget = { version: 'v1', dir: (c) => join(root, c, 'c') }
  assert.throws(() => applyLimits(t, { memory: 2000, processes: 10 }), /Failed to set pids.max to 10/)
  assert.equal(readFileSync(join(root, 'memory', 'c', 'memory.limit_in_bytes'), 'utf8'), '1000')
})

test('the payload cgroup is found from /proc/PID/cgroup, cut back from a sub-cgroup the container made', () => {
  const name = 'corral-abc.payload.c1'
  const v2 = cgroupTargetOf(`0::/${name}/init.scope\n`, name, 'v2', '/sys/fs/cgroup')
  assert.equal(v2.dir(''), `/sys/fs/cgroup/${name}`)
  const v1 = cgroupTargetOf(
    `12:freezer:/${name}\n4:cpu,cpuacct:/${name}\n1:name=systemd:/${name}/init.scope\n0::/${name}\n`,
    name,
    'v1',
    '/sys/fs/cgroup',
  )
  assert.equal(v1.dir('freezer'), `/sys/fs/cgroup/freezer/${name}`)
  assert.equal(v1.dir('cpuacct'), `/sys/fs/cgroup/cpuacct/${name}`)
  assert.equal(v1.dir('name=systemd'), `/sys/fs/cgroup/name=systemd/${name}`)
  // A process that is gone: the name alone, which leads nowhere real.
  assert.equal(cgroupTargetOf('', name, 'v1', '/x').dir('memory'), `/x/memory/${name}`)
})
