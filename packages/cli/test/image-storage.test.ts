// Unit tier: image and storage commands against the fake LXD; tables follow lxc 5.0.2 captures.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Image } from '@corral/api'
import { Progress, buildUpload, type Stdio } from '@corral/cli'
import { fakeWorld, type FakeWorld } from './helpers/run.js'

function busybox(): Image {
  return {
    auto_update: false,
    properties: { description: 'BusyBox 1.35 (Debian busybox-static)', os: 'busybox', release: '1.35' },
    public: false,
    expires_at: '0001-01-01T00:00:00Z',
    profiles: ['default'],
    aliases: [{ name: 'busybox', description: '' }],
    architecture: 'x86_64',
    cached: false,
    filename: 'busybox.tar.xz',
    fingerprint: '0b398d3f8727f3063f30dd31c6e25368ef06b17f7693634674145ee958a14b88',
    size: 881596,
    type: 'container',
    created_at: '2026-05-07T20:33:45.000Z',
    last_used_at: '0001-01-01T00:00:00Z',
    uploaded_at: '2026-11-28T17:48:53.458Z',
  }
}

function world(): FakeWorld {
  const w = fakeWorld()
  w.state.lxd.images.push(busybox())
  w.state.lxd.pools.push({
    name: 'default',
    driver: 'dir',
    config: { source: '/var/lib/lxd/storage-pools/default' },
    description: '',
    used_by: ['/1.0/profiles/default'],
    status: 'Created',
    locations: ['none'],
  })
  return w
}

test('image list renders lxc columns (shortest alias, MB size, upload date)', async () => {
  const r = await world().run(['image', 'list'])
  assert.equal(
    r.stdout,
    `+---------+--------------+--------+--------------------------------------+--------------+-----------+--------+------------------------------+
|  ALIAS  | FINGERPRINT  | PUBLIC |             DESCRIPTION              | ARCHITECTURE |   TYPE    |  SIZE  |         UPLOAD DATE          |
+---------+--------------+--------+--------------------------------------+--------------+-----------+--------+------------------------------+
| busybox | 0b398d3f8727 | no     | BusyBox 1.35 (Debian busybox-static) | x86_64       | CONTAINER | 0.84MB | Nov 28, 2026 at 5:48pm (UTC) |
+---------+--------------+--------+--------------------------------------+--------------+-----------+--------+------------------------------+
`,
  )
  const w = world()
  w.state.lxd.images[0]!.aliases.push({ name: 'bb', description: '' })
  assert.equal(
    (await w.run(['image', 'list', '-f', 'csv'])).stdout,
    'bb (1 more),0b398d3f8727,no,BusyBox 1.35 (Debian busybox-static),x86_64,CONTAINER,0.84MB,"Nov 28, 2026 at 5:48pm (UTC)"\n',
  )
})

test('image list json follows api.Image and Go time text', async () => {
  const r = await world().run(['image', 'list', '-f', 'json'])
  assert.equal(
    r.stdout,
    '[{"auto_update":false,"properties":{"description":"BusyBox 1.35 (Debian busybox-static)","os":"busybox","release":"1.35"},"public":false,"expires_at":"0001-01-01T00:00:00Z","profiles":["default"],"aliases":[{"name":"busybox","description":""}],"architecture":"x86_64","cached":false,"filename":"busybox.tar.xz","fingerprint":"0b398d3f8727f3063f30dd31c6e25368ef06b17f7693634674145ee958a14b88","size":881596,"type":"container","created_at":"2026-05-07T20:33:45Z","last_used_at":"0001-01-01T00:00:00Z","uploaded_at":"2026-11-28T17:48:53.458Z"}]\n',
  )
})

test('image info, show and alias list print what lxc prints', async () => {
  const w = world()
  assert.equal(
    (await w.run(['image', 'info', 'busybox'])).stdout,
    `Fingerprint: 0b398d3f8727f3063f30dd31c6e25368ef06b17f7693634674145ee958a14b88
Size: 0.84MB
Architecture: x86_64
Type: container
Public: no
Timestamps:
    Created: 2026/05/07 20:33 UTC
    Uploaded: 2026/11/28 17:48 UTC
    Expires: never
    Last used: never
Properties:
    description: BusyBox 1.35 (Debian busybox-static)
    os: busybox
    release: 1.35
Aliases:
    - busybox
Cached: no
Auto update: disabled
Profiles:
    - default
`,
  )
  assert.equal(
    (await w.run(['image', 'show', '0b398d'])).stdout,
    'auto_update: false\nproperties:\n  description: BusyBox 1.35 (Debian busybox-static)\n  os: busybox\n  release: "1.35"\npublic: false\nexpires_at: 0001-01-01T00:00:00Z\nprofiles:\n- default\n',
  )
  assert.equal(
    (await w.run(['image', 'alias', 'list'])).stdout,
    `+---------+--------------+-----------+-------------+
|  ALIAS  | FINGERPRINT  |   TYPE    | DESCRIPTION |
+---------+--------------+-----------+-------------+
| busybox | 0b398d3f8727 | CONTAINER |             |
+---------+--------------+-----------+-------------+
`,
  )
})

test('storage info groups used_by by kind as lxc does', async () => {
  const w = world()
  w.state.lxd.pools[0]!.used_by = [
    '/1.0/instances/c1',
    '/1.0/instances/c1/snapshots/s0',
    '/1.0/profiles/default',
  ]
  assert.equal(
    (await w.run(['storage', 'info', 'default'])).stdout,
    'info:\n  description: ""\n  driver: dir\n  name: default\n  space used: 22.14GiB\n  total space: 251.97GiB\nused by:\n  instances:\n  - c1\n  - c1\n  profiles:\n  - default\n',
  )
})

test('image import sends a unified tarball raw and a split one as multipart metadata + rootfs', () => {
  const unified = buildUpload({ name: 'b.tar.xz', data: Buffer.from('U') }, undefined, {
    'X-LXD-public': '0',
  })
  assert.deepEqual(
    [unified.contentType, unified.body, unified.length],
    ['application/octet-stream', Buffer.from('U'), 1],
  )
  const split = buildUpload(
    { name: 'm.tar.xz', data: Buffer.from('M') },
    { name: 'r.tar.xz', data: Buffer.from('R') },
    {},
  )
  const boundary = /^multipart\/form-data; boundary=(\w+)$/.exec(split.contentType)![1]!
  assert.equal(
    (split.body as Buffer).toString(),
    `--${boundary}\r\nContent-Disposition: form-data; name="metadata"; filename="m.tar.xz"\r\nContent-Type: application/octet-stream\r\n\r\nM\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="rootfs"; filename="r.tar.xz"\r\nContent-Type: application/octet-stream\r\n\r\nR\r\n--${boundary}--\r\n`,
  )
})

test('progress redraws with \\r on a terminal and prints nothing on a pipe', () => {
  let out = ''
  const stdio = (tty: boolean) =>
    ({ stdoutIsTTY: tty, out: (d: Buffer | string) => (out += d.toString()) }) as unknown as Stdio
  const p = new Progress(stdio(true))
  p.fromMetadata('Retrieving image: ', { create_instance_from_image_unpack_progress: 'Unpack: 50%' })
  p.fromMetadata('Retrieving image: ', { progress: { stage: 'store', percent: '100' } })
  p.done()
  assert.equal(
    out,
    '\rRetrieving image: Unpack: 50%\r' +
      ' '.repeat(29) +
      '\rRetrieving image: store: 100%\r' +
      ' '.repeat(29) +
      '\r',
  )
  out = ''
  const quiet = new Progress(stdio(false))
  quiet.update('x')
  quiet.done()
  assert.equal(out, '')
})

test('storage list and show print lxc tables and YAML; create prints lxc message', async () => {
  const w = world()
  assert.equal(
    (await w.run(['storage', 'list'])).stdout,
    `+---------+--------+------------------------------------+-------------+---------+---------+
|  NAME   | DRIVER |               SOURCE               | DESCRIPTION | USED BY |  STATE  |
+---------+--------+------------------------------------+-------------+---------+---------+
| default | dir    | /var/lib/lxd/storage-pools/default |             | 1       | CREATED |
+---------+--------+------------------------------------+-------------+---------+---------+
`,
  )
  assert.equal(
    (await w.run(['storage', 'show', 'default'])).stdout,
    'config:\n  source: /var/lib/lxd/storage-pools/default\ndescription: ""\nname: default\ndriver: dir\nused_by:\n- /1.0/profiles/default\nstatus: Created\nlocations:\n- none\n',
  )
  assert.equal(
    (await w.run(['storage', 'create', 'p2', 'btrfs', 'size=1GB'])).stdout,
    'Storage pool p2 created\n',
  )
  const post = w.state.lxd.calls.find((c) => c.method === 'POST' && c.path === '/1.0/storage-pools')!
  assert.deepEqual(post.body, { name: 'p2', driver: 'btrfs', config: { size: '1GB' }, description: '' })
})
