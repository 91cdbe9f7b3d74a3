/** @module System tier: corral in-process against a live corrald on a temporary CORRAL_DIR (stopped by its own pid). */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { connectUnix } from '@corral/client'
import { renderEvent } from '@corral/cli'
import { cleanup, makeStateDir, rootSkipReason, startCorrald, type Corrald } from '../helpers/corrald.js'
import { inProcessCorral } from '../helpers/corral-cli.js'

const skip = rootSkipReason() ?? false

let dir = ''
let daemon: Corrald | undefined
const env = (): NodeJS.ProcessEnv => ({
  ...process.env,
  CORRAL_DIR: dir,
  CORRAL_CONF: path.join(dir, 'client'),
})

const corral = inProcessCorral(env)

before(async () => {
  if (skip) return
  dir = makeStateDir('corral-cli-live')
  daemon = await startCorrald(dir)
})

after(async () => {
  if (!skip) await cleanup(daemon, dir)
})

test('version reaches the live daemon', { skip }, async () => {
  const r = await corral(['version'])
  assert.equal(r.code, 0)
  assert.match(r.stdout, /^Client version: 0\.1\.0\nServer version: (?!unreachable)\S+\n$/)
})

test('info prints the server as YAML with config first', { skip }, async () => {
  const r = await corral(['info'])
  assert.equal(r.code, 0)
  assert.match(r.stdout, /^config: /)
  assert.match(r.stdout, /\nenvironment:\n {2}addresses: /)
})

test('profile create, set, show, device, copy, rename and delete on the live daemon', { skip }, async () => {
  assert.deepEqual(await corral(['profile', 'create', 'live1']), {
    stdout: 'Profile live1 created\n',
    stderr: '',
    code: 0,
  })
  assert.equal((await corral(['profile', 'set', 'live1', 'user.a=1', 'user.b=yes'])).code, 0)
  assert.equal((await corral(['profile', 'get', 'live1', 'user.b'])).stdout, 'yes\n')
  assert.equal(
    (await corral(['profile', 'device', 'add', 'live1', 'nothing', 'none'])).stdout,
    'Device nothing added to live1\n',
  )
  assert.equal(
    (await corral(['profile', 'show', 'live1'])).stdout,
    'config:\n  user.a: "1"\n  user.b: "yes"\ndescription: ""\ndevices:\n  nothing:\n    type: none\nname: live1\nused_by: []\n',
  )
  assert.equal((await corral(['profile', 'unset', 'live1', 'user.a'])).code, 0)
  assert.equal(
    (await corral(['profile', 'edit', 'live1'], 'description: edited\nconfig: {}\ndevices: {}\n')).code,
    0,
  )
  assert.equal((await corral(['profile', 'copy', 'live1', 'live2'])).code, 0)
  assert.equal(
    (await corral(['profile', 'rename', 'live2', 'live3'])).stdout,
    'Profile live2 renamed to live3\n',
  )
  assert.equal(
    (await corral(['profile', 'list', '-f', 'csv'])).stdout,
    'default,Default LXD profile,0\nlive1,edited,0\nlive3,edited,0\n',
  )
  assert.equal((await corral(['profile', 'delete', 'live3'])).stdout, 'Profile live3 deleted\n')
  assert.deepEqual(await corral(['profile', 'delete', 'live3']), {
    stdout: '',
    stderr: 'Error: Profile not found\n',
    code: 1,
  })
  assert.equal((await corral(['profile', 'delete', 'live1'])).code, 0)
})

test('project create, switch, list and delete on the live daemon', { skip }, async () => {
  assert.equal((await corral(['project', 'create', 'lp', '-c', 'user.x=y'])).stdout, 'Project lp created\n')
  assert.equal((await corral(['project', 'switch', 'lp'])).code, 0)
  const conf = fs.readFileSync(path.join(dir, 'client', 'config.yml'), 'utf8')
  assert.equal(
    conf,
    'default-remote: local\nremotes:\n  local:\n    addr: unix://\n    project: lp\n    public: false\naliases: {}\n',
  )
  assert.match((await corral(['project', 'list', '-f', 'csv'])).stdout, /^default,.*\nlp \(current\),/)
  assert.equal((await corral(['project', 'get', 'lp', 'user.x'])).stdout, 'y\n')
  assert.equal((await corral(['project', 'switch', 'default'])).code, 0)
  assert.equal((await corral(['project', 'delete', 'lp'])).stdout, 'Project lp deleted\n')
})

test('operation list and query on the live daemon', { skip }, async () => {
  assert.equal(
    (await corral(['operation', 'list'])).stdout,
    '+----+------+-------------+--------+------------+---------+\n| ID | TYPE | DESCRIPTION | STATUS | CANCELABLE | CREATED |\n+----+------+-------------+--------+------------+---------+\n',
  )
  const q = await corral(['query', '/1.0/profiles'])
  assert.equal(q.stdout, '[\n\t"/1.0/profiles/default"\n]\n\n')
  const raw = await corral(['query', '--raw', '/1.0/profiles'])
  assert.ok(raw.stdout.startsWith('{\n\t"type": "sync",\n\t"status": "Success",\n\t"status_code": 200,\n'))
  assert.deepEqual(await corral(['query', '/1.0/nope']), {
    stdout: '',
    stderr: 'Error: not found\n',
    code: 1,
  })
})

test('the event stream delivers a lifecycle event rendered as lxc monitor prints it', { skip }, async () => {
  const client = connectUnix(path.join(dir, 'unix.socket'))
  const stream = await client.events({ types: ['lifecycle'] })
  const got = new Promise<string>((resolve) => stream.onEvent((e) => resolve(renderEvent(e, 'yaml')!)))
  await corral(['profile', 'create', 'evt'])
  const text = await got
  stream.close()
  await corral(['profile', 'delete', 'evt'])
  assert.match(text, /^location: .*\nmetadata:\n {2}action: profile-created\n/)
  assert.match(text, /\n {2}source: \/1\.0\/profiles\/evt\n/)
  assert.ok(text.endsWith('type: lifecycle\n\n\n'))
})
