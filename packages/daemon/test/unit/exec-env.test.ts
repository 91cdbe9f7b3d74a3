/** @module Unit tier: the exec environment (LXD's defaults, config, request) and the helper's arguments. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { State } from '../../src/state.js'
import { defaultPath, execEnvironment, forkexecArgs } from '../../src/instance/lxc/exec.js'

test('defaults, then environment.* config, then the request; root gets HOME and USER', () => {
  const env = execEnvironment(
    { 'environment.A': 'config', 'environment.B': 'config', 'limits.cpu': '1' },
    { B: 'req' },
    {
      uid: 0,
      interactive: false,
    },
  )
  assert.deepEqual(env, {
    A: 'config',
    B: 'req',
    PATH: defaultPath,
    LANG: 'C.UTF-8',
    HOME: '/root',
    USER: 'root',
  })
})

test('a non-root user gets no root HOME; interactive adds TERM unless given', () => {
  assert.deepEqual(execEnvironment({}, { PATH: '/bin' }, { uid: 1000, interactive: true }), {
    PATH: '/bin',
    LANG: 'C.UTF-8',
    TERM: 'xterm',
  })
  assert.equal(execEnvironment({}, { TERM: 'vt100' }, { uid: 0, interactive: true }).TERM, 'vt100')
})

test('helper arguments: lxcpath and LXC name of the project, ids, env, pty size, then the command', () => {
  const state = { paths: { dir: '/var/lib/corral' } } as unknown as State
  const args = forkexecArgs(
    state,
    { project: 'p1', name: 'c1' },
    {
      command: ['sh', '-c', 'echo --'],
      environment: { K: 'v=1' },
      cwd: '/tmp',
      uid: 5,
      gid: 6,
      interactive: true,
      width: 0,
      height: 50,
    },
  )
  assert.deepEqual(args, [
    '--lxcpath',
    '/var/lib/corral/containers',
    '--name',
    'p1_c1',
    '--cwd',
    '/tmp',
    '--uid',
    '5',
    '--gid',
    '6',
    '--env',
    'K=v=1',
    '--pty',
    '80',
    '50',
    '--',
    'sh',
    '-c',
    'echo --',
  ])
})
