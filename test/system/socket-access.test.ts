/** @module System tier: the unix socket admits root and the daemon's group only, and names the caller. */
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { cleanup, makeStateDir, rootSkipReason, run, startCorrald, type Corrald } from '../helpers/corrald.js'

const skip = rootSkipReason()
const tag = `crl${process.pid}`
const group = `${tag}g`
const member = `${tag}in`
const outsider = `${tag}out`
let dir = ''
let daemon: Corrald | undefined

before(async () => {
  if (skip) return
  dir = makeStateDir('corral-sock')
  assert.equal(run('groupadd', [group]).status, 0)
  assert.equal(run('useradd', ['-M', '-G', group, member]).status, 0)
  assert.equal(run('useradd', ['-M', outsider]).status, 0)
  daemon = await startCorrald(dir, ['--group', group])
})

after(async () => {
  if (skip) return
  await cleanup(daemon, dir)
  run('userdel', [member])
  run('userdel', [outsider])
  run('groupdel', [group])
})

function curlAs(user: string, path: string) {
  return run('runuser', [
    '-u',
    user,
    '--',
    'curl',
    '-sS',
    '--unix-socket',
    daemon!.socket,
    `http://corral${path}`,
  ])
}

test('the socket is mode 0660, owned by root and the --group group', { skip }, () => {
  const st = statSync(daemon!.socket)
  assert.equal(st.mode & 0o777, 0o660)
  assert.equal(st.uid, 0)
  const gid = Number(run('getent', ['group', group]).stdout.split(':')[2])
  assert.equal(st.gid, gid)
})

test('a user outside the group gets permission denied from the kernel', { skip }, () => {
  const probe = `require('net').connect(${JSON.stringify(daemon!.socket)}).on('connect', () => { console.log('connected'); process.exit(0) }).on('error', (e) => { console.log(e.code); process.exit(3) })`
  const r = run('runuser', ['-u', outsider, '--', process.execPath, '-e', probe])
  assert.equal(r.stdout.trim(), 'EACCES', 'connect() fails with EACCES: the daemon never sees the caller')
  assert.equal(r.status, 3)
  const viaCurl = curlAs(outsider, '/1.0')
  assert.equal(viaCurl.status, 7, 'curl cannot connect')
  assert.equal(viaCurl.stdout, '', 'the daemon said nothing')
})

test('a member of the group gets GET /1.0 with auth_user_name equal to its user', { skip }, () => {
  const r = curlAs(member, '/1.0')
  assert.equal(r.status, 0, r.stderr)
  const body = JSON.parse(r.stdout) as {
    metadata: { auth: string; auth_user_name: string; auth_user_method: string }
  }
  assert.equal(body.metadata.auth, 'trusted')
  assert.equal(body.metadata.auth_user_name, member)
  assert.equal(body.metadata.auth_user_method, 'unix')
})

test('root is named root', { skip }, () => {
  const r = run('curl', ['-sS', '--unix-socket', daemon!.socket, 'http://corral/1.0'])
  assert.equal(
    (JSON.parse(r.stdout) as { metadata: { auth_user_name: string } }).metadata.auth_user_name,
    'root',
  )
})
