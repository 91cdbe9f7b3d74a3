/** @module API tier: instance files against a real busybox container; paths resolve inside the container. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, before, test } from 'node:test'
import { pullFile, pushFile } from '../../src/instance/lxc/files.js'
import { rawRequest } from '../helpers/exec-client.js'
import { containerSkipReason, type TestContainer } from '../helpers/exec-container.js'
import { call } from '../helpers/http.js'
import type { TestDaemon } from '../helpers/test-daemon.js'
import { startContainerDaemon, stopContainerDaemon } from '../helpers/container-daemon.js'
import { instanceRow } from '../helpers/instance-fixture.js'

const skip = containerSkipReason()
const name = `fi${process.pid}`
const hostMarker = `/etc/corral-files-test-${process.pid}`
let d: TestDaemon | undefined
let c: TestContainer | undefined

before(async () => {
  if (skip) return
  ;({ d, c } = await startContainerDaemon(instanceRow(name)))
})

after(async () => {
  await stopContainerDaemon(d, c)
  rmSync(hostMarker, { force: true })
})

const url = (path: string): string => `/1.0/instances/${name}/files?path=${encodeURIComponent(path)}`
const push = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  rawRequest(d!.socket, 'POST', url(path), { body, headers })
const pull = (path: string) => rawRequest(d!.socket, 'GET', url(path))

test(
  'push then pull a file keeps content, uid, gid and mode (container ids, 1:1 on disk)',
  { skip },
  async () => {
    const content = randomBytes(1 << 20)
    const res = await push('/home/user1/blob', content, {
      'X-LXD-uid': '1000',
      'X-LXD-gid': '1000',
      'X-LXD-mode': '0640',
    })
    assert.equal(res.status, 200, res.body.toString())
    const got = await pull('/home/user1/blob')
    assert.equal(got.status, 200)
    assert.ok(got.body.equals(content), 'same bytes back')
    assert.equal(got.headers['x-lxd-type'], 'file')
    assert.equal(got.headers['x-lxd-uid'], '1000')
    assert.equal(got.headers['x-lxd-gid'], '1000')
    assert.equal(got.headers['x-lxd-mode'], '0640')
    const st = statSync(join(c!.rootfs, 'home/user1/blob'))
    assert.deepEqual(
      [st.uid, st.gid, st.mode & 0o7777],
      [1000, 1000, 0o640],
      'idmapped rootfs: container ids on disk',
    )
    const id = await rawRequest(d!.socket, 'GET', url('/etc/passwd'))
    assert.match(id.body.toString(), /^root:x:0:0/)
  },
)

test('append adds to a file; a new file defaults to root 0644', { skip }, async () => {
  await push('/tmp/log', 'one\n')
  await push('/tmp/log', 'two\n', { 'X-LXD-write': 'append' })
  const got = await pull('/tmp/log')
  assert.equal(got.body.toString(), 'one\ntwo\n')
  assert.deepEqual([got.headers['x-lxd-uid'], got.headers['x-lxd-mode']], ['0', '0644'])
})

test(
  'directories: create (no implicit parents), list as a sync JSON entry list with X-LXD-type directory',
  { skip },
  async () => {
    const orphan = await push('/srv/data', '', { 'X-LXD-type': 'directory' })
    assert.equal(orphan.status, 404, 'parents are not created (lxc file push -p asks for each)')
    await push('/srv', '', { 'X-LXD-type': 'directory' })
    const mk = await push('/srv/data', '', { 'X-LXD-type': 'directory', 'X-LXD-mode': '0750' })
    assert.equal(mk.status, 200, mk.body.toString())
    await push('/srv/data/b', 'b')
    await push('/srv/data/a', 'a')
    const got = await pull('/srv/data')
    assert.equal(got.headers['x-lxd-type'], 'directory')
    assert.equal(got.headers['x-lxd-mode'], '0750')
    const envelope = JSON.parse(got.body.toString()) as { type: string; metadata: string[] }
    assert.equal(envelope.type, 'sync')
    assert.deepEqual(envelope.metadata, ['a', 'b'])
  },
)

test(
  'symlinks resolve inside the container: absolute, relative with .., and when written through',
  { skip },
  async () => {
    const link = await push('/root/shadow-link', '/etc/shadow', { 'X-LXD-type': 'symlink' })
    assert.equal(link.status, 200, link.body.toString())
    const got = await pull('/root/shadow-link')
    assert.equal(got.headers['x-lxd-type'], 'symlink')
    assert.equal(got.body.toString(), '/etc/shadow')
    await push('/root/etc', '/etc', { 'X-LXD-type': 'symlink' })
    assert.equal(
      (await pull('/root/etc/shadow')).body.toString(),
      'container-shadow\n',
      'the container file, not the host one',
    )
    await push('/tmp/up', '../../../../../../../../etc', { 'X-LXD-type': 'symlink' })
    assert.equal(
      (await pull('/tmp/up/shadow')).body.toString(),
      'container-shadow\n',
      '.. stops at the container root',
    )
    assert.equal((await pull('/../../../etc/shadow')).body.toString(), 'container-shadow\n')
    await push('/tmp/evil', hostMarker, { 'X-LXD-type': 'symlink' })
    const written = await push('/tmp/evil', 'written\n')
    assert.equal(written.status, 200, written.body.toString())
    assert.equal(existsSync(hostMarker), false, 'no host file was written')
    assert.equal(readFileSync(join(c!.rootfs, hostMarker), 'utf8'), 'written\n')
  },
)

test('delete removes a file and an empty directory; missing paths are 404', { skip }, async () => {
  await push('/tmp/gone', 'x')
  assert.equal((await call(d!.socket, 'DELETE', url('/tmp/gone'))).status, 200)
  const missing = await call(d!.socket, 'GET', url('/tmp/gone'))
  assert.deepEqual([missing.status, missing.body.error], [404, 'Not Found'])
  await push('/tmp/emptydir', '', { 'X-LXD-type': 'directory' })
  assert.equal((await call(d!.socket, 'DELETE', url('/tmp/emptydir'))).status, 200)
  assert.equal((await call(d!.socket, 'DELETE', url('/tmp/gone'))).status, 404)
  assert.equal((await call(d!.socket, 'GET', `/1.0/instances/${name}/files`)).status, 400)
  assert.equal((await call(d!.socket, 'GET', `/1.0/instances/nope/files?path=/`)).status, 404)
})

test(
  'a stopped instance is served from its rootfs, chrooted: symlinks stay inside, ids 1:1',
  { skip },
  async () => {
    const state = d!.daemon.state
    const root = { root: c!.rootfs }
    await pushFile(
      state,
      root,
      '/tmp/escape',
      { type: 'symlink', append: false },
      Readable.from([hostMarker]),
    )
    await pushFile(
      state,
      root,
      '/tmp/escape',
      { type: 'file', uid: 1000, gid: 1000, mode: 0o600, append: false },
      Readable.from(['chrooted\n']),
    )
    assert.equal(existsSync(hostMarker), false, 'no host file was written')
    const st = statSync(join(c!.rootfs, hostMarker))
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [1000, 1000, 0o600])
    const shadow = await pullFile(state, root, '/tmp/up/shadow')
    assert.equal(shadow.type, 'file')
    const chunks: Buffer[] = []
    for await (const chunk of shadow.type === 'file' ? shadow.content : []) chunks.push(chunk as Buffer)
    assert.equal(Buffer.concat(chunks).toString(), 'container-shadow\n')
  },
)

/** Fails instead of hanging when a request takes longer than ms. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

test(
  'a FIFO or a device is refused at once with 400 for pull and push, running or stopped',
  { skip },
  async () => {
    execFileSync('mkfifo', [join(c!.rootfs, 'tmp/fifo')])
    const got = await within(10_000, 'GET of a FIFO', call(d!.socket, 'GET', url('/tmp/fifo')))
    assert.deepEqual([got.status, got.body.error], [400, 'Path is a fifo, not a regular file'])
    const pushed = await within(10_000, 'POST to a FIFO', push('/tmp/fifo', 'data'))
    assert.equal(pushed.status, 400, pushed.body.toString())
    assert.match(pushed.body.toString(), /Path is a fifo, not a regular file/)
    const appended = await within(
      10_000,
      'append to a FIFO',
      push('/tmp/fifo', 'x', { 'X-LXD-write': 'append' }),
    )
    assert.equal(appended.status, 400)
    const device = await within(10_000, 'POST to /dev/null', push('/dev/null', 'data'))
    assert.equal(device.status, 400, device.body.toString())
    assert.match(device.body.toString(), /Path is a character device, not a regular file/)
    const stopped = { root: c!.rootfs }
    await within(
      10_000,
      'push to a FIFO in a stopped rootfs',
      assert.rejects(
        pushFile(
          d!.daemon.state,
          stopped,
          '/tmp/fifo',
          { type: 'file', append: false },
          Readable.from(['x']),
        ),
        { status: 400, message: 'Path is a fifo, not a regular file' },
      ),
    )
    assert.equal(statSync(join(c!.rootfs, 'tmp/fifo')).isFIFO(), true, 'the FIFO is left as it was')
  },
)
