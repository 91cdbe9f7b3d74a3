/** @module API tier: exec against a real busybox container (websockets, pty, signals, recorded output). */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Operation } from '@corral/api'
import { createInstance } from '../../src/db/instances.js'
import { collectSocket, execWs, openSocket, postExec, rawRequest } from '../helpers/exec-client.js'
import { containerSkipReason, sweepCgroups, type TestContainer } from '../helpers/exec-container.js'
import { call, ok } from '../helpers/http.js'
import type { TestDaemon } from '../helpers/test-daemon.js'
import { startContainerDaemon, stopContainerDaemon } from '../helpers/container-daemon.js'
import { instanceRow } from '../helpers/instance-fixture.js'

const skip = containerSkipReason()
const name = `ex${process.pid}`
let d: TestDaemon | undefined
let c: TestContainer | undefined

const row = (n: string) => instanceRow(n, { config: { 'environment.FROM_CONFIG': 'config-value' } })

before(async () => {
  if (skip) return
  ;({ d, c } = await startContainerDaemon(row(name)))
})

after(async () => {
  await stopContainerDaemon(d, c)
})

const sock = (): string => d!.socket

test('stdout and stderr arrive on separate websockets with the exit code', { skip }, async () => {
  const r = await execWs(sock(), name, ['sh', '-c', 'echo out; echo err >&2; exit 3'])
  assert.equal(r.stdout, 'out\n')
  assert.equal(r.stderr, 'err\n')
  assert.equal(r.code, 3)
  assert.equal(r.operation.class, 'websocket')
  assert.equal(r.operation.status, 'Success')
})

test('stdin is fed from websocket 0 until the EOF barrier', { skip }, async () => {
  const r = await execWs(sock(), name, ['sh', '-c', 'cat; echo done'], { stdin: 'line1\nline2\n' })
  assert.equal(r.stdout, 'line1\nline2\ndone\n')
  assert.equal(r.code, 0)
})

test('exit codes: 0, 1, 126 not executable, 127 not found, 137 killed', { skip }, async () => {
  assert.equal((await execWs(sock(), name, ['true'])).code, 0)
  assert.equal((await execWs(sock(), name, ['false'])).code, 1)
  assert.equal((await execWs(sock(), name, ['/etc/passwd'])).code, 126)
  assert.equal((await execWs(sock(), name, ['no-such-command'])).code, 127)
  assert.equal((await execWs(sock(), name, ['sh', '-c', 'kill -9 $$'])).code, 137)
})

test('cwd, user, group and environment (defaults, environment.* config, request)', { skip }, async () => {
  const r = await execWs(
    sock(),
    name,
    ['sh', '-c', 'pwd; id -u; id -g; echo $PATH; echo $FROM_CONFIG; echo $FROM_REQ; echo $HOME'],
    {
      body: {
        cwd: '/tmp',
        user: 1000,
        group: 1000,
        environment: { FROM_REQ: 'req-value', HOME: '/home/user1' },
      },
    },
  )
  assert.equal(
    r.stdout,
    '/tmp\n1000\n1000\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nconfig-value\nreq-value\n/home/user1\n',
  )
  const root = await execWs(sock(), name, ['sh', '-c', 'pwd; echo $HOME $USER $LANG'])
  assert.equal(root.stdout, '/root\n/root root C.UTF-8\n')
})

test(
  'interactive: one pty on websocket 0, window-resize seen by stty size, exit code',
  { skip },
  async () => {
    const { id, fds } = await postExec(sock(), name, {
      command: ['sh'],
      'wait-for-websocket': true,
      interactive: true,
      width: 80,
      height: 24,
    })
    assert.deepEqual(Object.keys(fds).sort(), ['0', 'control'])
    const ws0 = await openSocket(sock(), id, fds['0']!)
    const control = await openSocket(sock(), id, fds.control!)
    let screen = ''
    ws0.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) screen += data.toString('utf8')
    })
    const until = async (re: RegExp): Promise<void> => {
      for (let i = 0; i < 300 && !re.test(screen); i++) await new Promise((r) => setTimeout(r, 10))
      assert.match(screen, re)
    }
    ws0.send(Buffer.from('stty size; tty\n'), { binary: true })
    await until(/24 80\r?\n\/dev\/pts\/\d+/) // the size, then the command's own terminal
    control.send(JSON.stringify({ command: 'window-resize', args: { width: '120', height: '40' } }))
    await new Promise((r) => setTimeout(r, 100))
    ws0.send(Buffer.from('stty size\n'), { binary: true })
    await until(/40 120/)
    ws0.send(Buffer.from('exit 5\n'), { binary: true })
    const op = await ok<Operation>(sock(), 'GET', `/1.0/operations/${id}/wait?timeout=10`)
    assert.equal(op.metadata?.return, 5)
    control.close()
  },
)

test('a signal on the control socket reaches the command', { skip }, async () => {
  const { id, fds } = await postExec(sock(), name, { command: ['sleep', '60'], 'wait-for-websocket': true })
  const sockets = await Promise.all(['0', '1', '2', 'control'].map((fd) => openSocket(sock(), id, fds[fd]!)))
  const out = collectSocket(sockets[1]!)
  await new Promise((r) => setTimeout(r, 200))
  sockets[3]!.send(JSON.stringify({ command: 'signal', signal: 15 }))
  const op = await ok<Operation>(sock(), 'GET', `/1.0/operations/${id}/wait?timeout=10`)
  assert.equal(op.metadata?.return, 143)
  assert.equal(await out, '')
})

test('record-output: a task whose stdout and stderr are served under /logs', { skip }, async () => {
  const res = await call(sock(), 'POST', `/1.0/instances/${name}/exec`, {
    body: {
      command: ['sh', '-c', 'echo recorded; echo oops >&2; exit 2'],
      'wait-for-websocket': false,
      'record-output': true,
    },
  })
  assert.equal(res.status, 202)
  const started = res.body.metadata as Operation
  assert.equal(started.class, 'task')
  const op = await ok<Operation>(sock(), 'GET', `/1.0/operations/${started.id}/wait?timeout=10`)
  assert.equal(op.metadata?.return, 2)
  const output = op.metadata?.output as { '1': string; '2': string }
  assert.equal(output['1'], `/1.0/instances/${name}/logs/exec_${started.id}.stdout`)
  const fetch = async (path: string): Promise<string> =>
    (await rawRequest(sock(), 'GET', path)).body.toString('utf8')
  assert.equal(await fetch(output['1']), 'recorded\n')
  assert.equal(await fetch(output['2']), 'oops\n')
  const logs = await ok<string[]>(sock(), 'GET', `/1.0/instances/${name}/logs`)
  assert.ok(logs.includes(output['1']))
})

test('refusals: bad secret before upgrade, stopped or unknown instance, bad body', { skip }, async () => {
  const { id, fds } = await postExec(sock(), name, { command: ['true'], 'wait-for-websocket': true })
  await assert.rejects(openSocket(sock(), id, 'wrong'), /403/)
  const missing = await call(sock(), 'POST', '/1.0/instances/nope/exec', { body: { command: ['true'] } })
  assert.equal(missing.status, 404)
  createInstance(d!.daemon.state.db, { ...row(`${name}s`), config: {} })
  const stopped = await call(sock(), 'POST', `/1.0/instances/${name}s/exec`, { body: { command: ['true'] } })
  assert.deepEqual([stopped.status, stopped.body.error], [400, 'Instance is not running'])
  const bad = await call(sock(), 'POST', `/1.0/instances/${name}/exec`, { body: { command: 'true' } })
  assert.equal(bad.status, 400)
  await Promise.all(['0', '1', '2'].map((fd) => openSocket(sock(), id, fds[fd]!).then((ws) => ws.send(''))))
  await ok(sock(), 'GET', `/1.0/operations/${id}/wait?timeout=10`)
})

test('stale test cgroups of a dead process are swept, live ones are kept', { skip }, () => {
  let dead = 4_000_000
  while (existsSync(`/proc/${dead}`)) dead++
  const stale = `/sys/fs/cgroup/pids/corral-exec-test-${dead}.payload.gone`
  mkdirSync(join(stale, 'child'), { recursive: true })
  sweepCgroups()
  assert.equal(existsSync(stale), false)
  assert.ok(
    readdirSync('/sys/fs/cgroup/pids').some((e) => e.endsWith(`.payload.${name}`)),
    'the running test container keeps its cgroup',
  )
})
