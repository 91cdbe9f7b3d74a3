/** @module System tier: real unprivileged LXC containers through corrald and the stock lxc client. */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { run, startCorrald } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip = sessionSkipReason({ image: true, pool: true })
const name = `crl${process.pid}c1`
let s: LxcSession
let dir = ''
const lxc = (args: string[], input?: string) => s.lxc(args, input)
const must = (args: string[]) => s.must(args)
const env = () => s.env()

function subuidBase(): { start: number; size: number } {
  const line = readFileSync('/etc/subuid', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('root:') && Number(l.split(':')[2]) >= 65536)
  const [, start, size] = (line ?? 'root:1000000:1000000000').split(':')
  return { start: Number(start), size: Number(size) }
}

function initPid(): number {
  const state = JSON.parse(must(['query', `/1.0/instances/${name}/state`])) as { pid: number; status: string }
  return state.pid
}

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-inst', { image: true, pool: true })
  dir = s.dir
})

after(async () => {
  if (!skip) await s.close([name])
})

test("lxc launch runs an unprivileged container mapped to root's subuid range", { skip }, () => {
  must(['launch', 'busybox', name])
  const pid = initPid()
  assert.ok(pid > 0)
  const { start, size } = subuidBase()
  const uidMap = readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/).map(Number)
  assert.deepEqual(uidMap, [0, start, size])
  const gidMap = readFileSync(`/proc/${pid}/gid_map`, 'utf8').trim().split(/\s+/).map(Number)
  assert.deepEqual(gidMap, [0, start, size])
  assert.match(must(['list', name, '--format', 'csv', '-c', 'ns']), new RegExp(`^${name},RUNNING$`, 'm'))
})

test('the instance directory is owned by the container root and mode 0100', { skip }, () => {
  assert.equal(
    run('stat', ['-c', '%a', join(dir, 'storage-pools', 'default', 'images')]).stdout.trim(),
    '700',
    'cached images are root-only',
  )
  const stat = run('stat', ['-c', '%a %u', join(dir, 'storage-pools', 'default', 'containers', name)])
  assert.equal(stat.stdout.trim(), `100 ${subuidBase().start}`)
})

test('the rootfs files are owned by 0 as seen from inside', { skip }, () => {
  const r = lxc(['exec', name, '--', 'stat', '-c', '%u:%g', '/bin/busybox', '/etc/passwd'])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, '0:0\n0:0\n')
})

test('lxc exec keeps stdout and stderr apart and passes the exit code through', { skip }, () => {
  const r = lxc(['exec', name, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'])
  assert.equal(r.status, 3)
  assert.equal(r.stdout, 'out\n')
  assert.equal(r.stderr, 'err\n')
  const piped = lxc(['exec', name, '--', 'cat'], 'through stdin\n')
  assert.equal(piped.stdout, 'through stdin\n')
})

test('lxc exec on a terminal runs interactively with a pty', { skip }, () => {
  // script(1) gives lxc a terminal, so it asks for an interactive session.
  const r = run('script', ['-qec', `lxc exec ${name} -- sh -c 'tty; exit 4'`, '/dev/null'], { env: env() })
  assert.equal(r.status, 4)
  assert.match(r.stdout, /\/dev\/pts\/\d+/)
})

test('lxc file push and pull round-trip content, owner and mode', { skip }, () => {
  const src = join(s.home, 'pushed.txt')
  writeFileSync(src, 'hello from the host\n')
  must(['file', 'push', src, `${name}/root/pushed.txt`, '--uid', '1000', '--gid', '1000', '--mode', '0640'])
  const st = lxc(['exec', name, '--', 'stat', '-c', '%u:%g:%a', '/root/pushed.txt'])
  assert.equal(st.stdout, '1000:1000:640\n')
  const dest = join(s.home, 'pulled.txt')
  must(['file', 'pull', `${name}/root/pushed.txt`, dest])
  assert.equal(readFileSync(dest, 'utf8'), 'hello from the host\n')
})

test('lxc snapshot and lxc restore bring back the file system', { skip }, () => {
  must(['exec', name, '--', 'sh', '-c', 'echo one > /root/state'])
  must(['snapshot', name, 'snap1'])
  must(['exec', name, '--', 'sh', '-c', 'echo two > /root/state'])
  must(['restore', name, 'snap1'])
  assert.equal(must(['exec', name, '--', 'cat', '/root/state']), 'one\n')
  assert.match(must(['list', name, '--format', 'csv', '-c', 'nsS']), new RegExp(`^${name},RUNNING,1$`, 'm'))
})

test('limits.memory and limits.processes reach the container cgroups at start', { skip }, () => {
  must(['config', 'set', name, 'limits.memory', '64MiB'])
  must(['config', 'set', name, 'limits.processes', '123'])
  must(['restart', name, '--force'])
  const payload = readdirSync('/sys/fs/cgroup/pids').find((e) => e.endsWith(`.payload.${name}`))
  assert.ok(payload, 'payload cgroup exists')
  assert.equal(readFileSync(`/sys/fs/cgroup/pids/${payload}/pids.max`, 'utf8').trim(), '123')
  assert.equal(
    readFileSync(`/sys/fs/cgroup/memory/${payload}/memory.limit_in_bytes`, 'utf8').trim(),
    String(64 * 2 ** 20),
  )
  must(['config', 'unset', name, 'limits.memory'])
  must(['config', 'unset', name, 'limits.processes'])
})

test('a read-only host bind mount (disk device) is visible and cannot be written', { skip }, () => {
  const shared = join(s.home, 'shared')
  mkdirSync(shared, { recursive: true })
  writeFileSync(join(shared, 'hello'), 'from host\n')
  must(['stop', name, '--force'])
  must([
    'config',
    'device',
    'add',
    name,
    'data',
    'disk',
    `source=${shared}`,
    'path=/mnt/data',
    'readonly=true',
  ])
  must(['start', name])
  assert.equal(must(['exec', name, '--', 'cat', '/mnt/data/hello']), 'from host\n')
  const write = lxc(['exec', name, '--', 'sh', '-c', 'echo x > /mnt/data/new'])
  assert.notEqual(write.status, 0)
  assert.equal(existsSync(join(shared, 'new')), false)
  must(['stop', name, '--force'])
  must(['config', 'device', 'remove', name, 'data'])
  must(['start', name])
})

test(
  'an instance that died while the daemon was down is started again at daemon start',
  { skip },
  async () => {
    await s.daemon().kill()
    run('lxc-stop', ['-k', '-n', name, '-P', join(dir, 'containers')])
    s.setDaemon(await startCorrald(dir))
    for (let i = 0; i < 100 && !/RUNNING/.test(must(['list', name, '--format', 'csv', '-c', 's'])); i++) {
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.match(must(['list', name, '--format', 'csv', '-c', 'ns']), new RegExp(`^${name},RUNNING$`, 'm'))
  },
)

test('a SIGKILLed corrald leaves the container running, and a restarted one finds it', { skip }, async () => {
  const pid = initPid()
  await s.daemon().kill()
  assert.ok(existsSync(`/proc/${pid}`), 'container init survived the daemon')
  s.setDaemon(await startCorrald(dir))
  assert.match(must(['list', name, '--format', 'csv', '-c', 'ns']), new RegExp(`^${name},RUNNING$`, 'm'))
  assert.equal(initPid(), pid)
  const r = lxc(['exec', name, '--', 'true'])
  assert.equal(r.status, 0, r.stderr)
})

test('delete of a running instance without --force is refused (client and daemon)', { skip }, () => {
  const r = lxc(['delete', name])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /currently running, stop it first/)
  const raw = lxc(['query', '-X', 'DELETE', `/1.0/instances/${name}`])
  assert.equal(raw.status, 1)
  assert.equal(raw.stderr, 'Error: Instance is running\n')
  assert.match(must(['list', name, '--format', 'csv', '-c', 'ns']), new RegExp(`^${name},RUNNING$`, 'm'))
})

test('stop and delete leave no LXC container, no mounts and no directories behind', { skip }, () => {
  must(['stop', name, '--force'])
  assert.match(must(['list', name, '--format', 'csv', '-c', 'ns']), new RegExp(`^${name},STOPPED$`, 'm'))
  must(['start', name])
  must(['delete', name, '--force'])
  assert.equal(must(['list', '--format', 'csv']), '')
  const lxcLs = run('lxc-ls', ['-P', join(dir, 'containers')])
  assert.equal(lxcLs.stdout.trim(), '')
  assert.deepEqual(readdirSync(join(dir, 'storage-pools', 'default', 'containers')), [])
  assert.equal(existsSync(join(dir, 'containers', name)), false)
  assert.equal(existsSync(join(dir, 'logs', name)), false)
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(`${dir}/`))
  assert.deepEqual(mounts, [])
})
