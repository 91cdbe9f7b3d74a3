// Unit tier: exec (request body, websockets, exit code, terminal mode) and file push/pull against the fake LXD.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { newInstance } from './helpers/fake-lxd.js'
import { fakeWorld, type FakeWorld } from './helpers/run.js'

function world(): FakeWorld {
  const w = fakeWorld()
  const c1 = newInstance('c1')
  c1.status = 'Running'
  w.state.lxd.instances.set('c1', c1)
  return w
}

test('exec posts lxc body, keeps stdout and stderr apart and passes the exit code on', async () => {
  const w = world()
  w.state.lxd.exec = { stdout: 'out\n', stderr: 'err\n', code: 3 }
  const r = await w.run(
    ['exec', 'c1', '--env', 'A=b', '--cwd', '/tmp', '--user', '1000', '--', 'sh', '-c', 'exit 3'],
    {
      stdin: 'input',
    },
  )
  assert.deepEqual(r, { stdout: 'out\n', stderr: 'err\n', code: 3 })
  const post = w.state.lxd.calls.find((c) => c.path === '/1.0/instances/c1/exec')!
  assert.deepEqual(post.body, {
    command: ['sh', '-c', 'exit 3'],
    environment: { A: 'b' },
    'wait-for-websocket': true,
    interactive: false,
    'record-output': false,
    width: 0,
    height: 0,
    cwd: '/tmp',
    user: 1000,
  })
  assert.deepEqual(w.state.lxd.execInput, ['input'])
  assert.deepEqual(w.rawModes, [])
})

test('exec is interactive on a terminal (raw mode, size, single socket) unless -T', async () => {
  const w = world()
  w.state.lxd.exec = { stdout: 'pty output', code: 0 }
  const r = await w.run(['exec', 'c1', '--', 'sh'], { tty: { stdin: true, stdout: true } })
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'pty output', ''])
  const post = w.state.lxd.calls.find((c) => c.path === '/1.0/instances/c1/exec')!
  assert.deepEqual(
    [(post.body as { interactive: boolean }).interactive, (post.body as { width: number }).width],
    [true, 100],
  )
  assert.deepEqual(w.rawModes, [true, false])
  const w2 = world()
  await w2.run(['exec', 'c1', '-T', '--', 'sh'], { tty: { stdin: true, stdout: true } })
  const post2 = w2.state.lxd.calls.find((c) => c.path === '/1.0/instances/c1/exec')!
  assert.equal((post2.body as { interactive: boolean }).interactive, false)
  const both = await world().run(['exec', 'c1', '-t', '-T', '--', 'sh'])
  assert.deepEqual([both.code, both.stderr], [1, "Error: You can't pass -t and -T at the same time\n"])
})

test('file push and pull round-trip content and mode with lxc headers', async () => {
  const w = world()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-file-'))
  try {
    const src = path.join(dir, 'a.txt')
    fs.writeFileSync(src, 'hello\n', { mode: 0o640 })
    fs.chmodSync(src, 0o640)
    assert.equal((await w.run(['file', 'push', src, 'c1/root/', '--uid', '5', '--gid', '6'])).code, 0)
    const push = w.state.lxd.calls.find((c) => c.method === 'POST' && c.path.includes('/files'))!
    assert.equal(push.path, '/1.0/instances/c1/files?path=%2Froot%2Fa.txt')
    assert.deepEqual(push.body, {
      'Content-Type': 'application/octet-stream',
      'X-LXD-type': 'file',
      'X-LXD-write': 'overwrite',
      'X-LXD-uid': '5',
      'X-LXD-gid': '6',
      'X-LXD-mode': '0640',
    })
    const out = path.join(dir, 'b.txt')
    assert.equal((await w.run(['file', 'pull', 'c1/root/a.txt', out])).code, 0)
    assert.equal(fs.readFileSync(out, 'utf8'), 'hello\n')
    assert.equal(fs.statSync(out).mode & 0o777, 0o640)
    assert.equal((await w.run(['file', 'pull', 'c1/root/a.txt', '-'])).stdout, 'hello\n')
    const many = await w.run(['file', 'push', src, src, 'c1/root/x'])
    assert.deepEqual([many.code, many.stderr], [1, 'Error: Missing target directory\n'])
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
