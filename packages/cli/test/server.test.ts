// Unit tier: `corral version`, `corral info` and `corral config` (server) against an in-memory server.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import { clientVersion } from '@corral/cli'
import { fakeWorld } from './helpers/run.js'

test('clientVersion equals the version in packages/cli/package.json', () => {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  assert.equal(clientVersion, pkg.version)
})

test('version prints client and server versions', async () => {
  const r = await fakeWorld().run(['version'])
  assert.deepEqual(r, {
    stdout: `Client version: ${clientVersion}\nServer version: 0.1.0\n`,
    stderr: '',
    code: 0,
  })
})

test('version prints unreachable when the daemon is down', async () => {
  const w = fakeWorld()
  w.state.down = true
  assert.deepEqual(await w.run(['version']), {
    stdout: `Client version: ${clientVersion}\nServer version: unreachable\n`,
    stderr: '',
    code: 0,
  })
})

test('--version prints the client version', async () => {
  assert.equal((await fakeWorld().run(['--version'])).stdout, `${clientVersion}\n`)
})

test('info prints GET /1.0 as YAML in LXD field order, with no warning within support', async () => {
  const r = await fakeWorld().run(['info'])
  assert.equal(r.code, 0)
  assert.equal(r.stderr, '')
  assert.ok(
    r.stdout.startsWith('config: {}\napi_extensions:\n- etag\napi_status: stable\napi_version: "1.0"\n'),
  )
  assert.ok(
    r.stdout.includes(
      'environment:\n  server_version: 0.1.0\n  server_lts: false\n  server_support_end: "2027-01-31"\n',
    ),
  )
})

test('info warns on stderr when the server is past its support end', async () => {
  const r = await fakeWorld().run(['info'], { now: new Date('2027-02-01T00:00:00Z') })
  assert.equal(r.code, 0)
  assert.match(r.stderr, /^WARNING: .*0\.1\.0.*2027-01-31.*\n$/)
})

test('config set, get, show and unset use GET then PUT with If-Match', async () => {
  const w = fakeWorld()
  assert.equal((await w.run(['config', 'set', 'user.foo', 'bar'])).code, 0)
  assert.equal((await w.run(['config', 'set', 'user.a=1', 'user.b=2'])).code, 0)
  assert.equal(
    (await w.run(['config', 'show'])).stdout,
    'config:\n  user.a: "1"\n  user.b: "2"\n  user.foo: bar\n',
  )
  assert.equal((await w.run(['config', 'get', 'user.foo'])).stdout, 'bar\n')
  assert.equal((await w.run(['config', 'get', 'nope'])).stdout, '\n')
  w.state.calls.length = 0
  assert.equal((await w.run(['config', 'unset', 'user.foo'])).code, 0)
  const put = w.state.calls.find((c) => c.method === 'PUT')!
  assert.deepEqual(put.body, { config: { 'user.a': '1', 'user.b': '2', 'user.foo': '' } })
  assert.ok(put.etag)
  assert.equal((await w.run(['config', 'show'])).stdout, 'config:\n  user.a: "1"\n  user.b: "2"\n')
  const bad = await w.run(['config', 'set', 'user.x'])
  assert.deepEqual([bad.code, bad.stderr], [1, 'Error: Invalid key=value configuration: user.x\n'])
})

test('config edit replaces the config from stdin and from the editor', async () => {
  const w = fakeWorld()
  await w.run(['config', 'edit'], { stdin: 'config:\n  user.k: 5\n' })
  assert.deepEqual(w.state.server.config, { 'user.k': '5' })
  await w.run(['config', 'edit'], { editor: (t) => t.replace('user.k: "5"', 'user.k: "6"') })
  assert.equal(w.edited[0], 'config:\n  user.k: "5"\n')
  assert.deepEqual(w.state.server.config, { 'user.k': '6' })
})

test('errors from the server print Error: and exit 1', async () => {
  const w = fakeWorld()
  w.state.down = true
  const r = await w.run(['config', 'show'])
  assert.equal(r.code, 1)
  assert.match(
    r.stderr,
    /^Error: Get "http:\/\/unix\.socket\/1\.0": dial unix .*: no such file or directory\n$/,
  )
})
