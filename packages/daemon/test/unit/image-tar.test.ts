/** @module Unit: image member path safety, listing parsing, magic detection, multipart reading, GNU tar behaviour. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { readMultipart, multipartBoundary, type PartInfo } from '../../src/image/multipart.js'
import {
  checkMembers,
  extensionOf,
  normalizeMember,
  parseListing,
  unsafeMemberReason,
  type TarMember,
} from '../../src/image/tar.js'
import { unpackFlags } from '../../src/image/unpack.js'

test('unsafeMemberReason() refuses absolute paths and ".." components, allows the rest', () => {
  assert.match(unsafeMemberReason('/etc/passwd') ?? '', /absolute path/)
  assert.match(unsafeMemberReason('../evil') ?? '', /"\.\." path component/)
  assert.match(unsafeMemberReason('rootfs/../../evil') ?? '', /"\.\." path component/)
  assert.equal(unsafeMemberReason('rootfs/bin/sh'), undefined)
  assert.equal(unsafeMemberReason('./rootfs/..hidden/x'), undefined)
  assert.equal(unsafeMemberReason('rootfs/a..b'), undefined)
})

test('checkMembers() keeps absolute symlink targets but refuses members below a symlink and escaping hard links', () => {
  checkMembers([
    { name: 'rootfs/', type: 'd' },
    { name: 'rootfs/bin/sh', type: 'l' },
    { name: 'rootfs/bin/ash', type: 'h', link: 'rootfs/bin/sh' },
  ])
  assert.throws(
    () =>
      checkMembers([
        { name: './rootfs/link', type: 'l' },
        { name: './rootfs/link/pwned', type: '-' },
      ]),
    /is below a symbolic link/,
  )
  assert.throws(
    () => checkMembers([{ name: 'rootfs/x', type: 'h', link: '../../etc/shadow' }]),
    /hard link target/,
  )
  assert.throws(() => checkMembers([{ name: '/rootfs', type: 'd' }]), /absolute path/)
})

test('parseListing() pairs names with types and hard link targets', () => {
  const names = 'rootfs/\nrootfs/bin/sh\nrootfs/bin/ash\n'
  const long = [
    'drwxr-xr-x 0/0 0 2024-01-01 00:00 rootfs/',
    'lrwxrwxrwx 0/0 0 2024-01-01 00:00 rootfs/bin/sh -> /bin/busybox',
    'hrwxr-xr-x 0/0 0 2024-01-01 00:00 rootfs/bin/ash link to rootfs/bin/sh',
  ].join('\n')
  assert.deepEqual(parseListing(names, long), [
    { name: 'rootfs/', type: 'd' },
    { name: 'rootfs/bin/sh', type: 'l' },
    { name: 'rootfs/bin/ash', type: 'h', link: 'rootfs/bin/sh' },
  ])
  assert.throws(() => parseListing('a\nb\n', 'x\n'), /Unable to list/)
})

test('extensionOf() names archives by their magic bytes, as LXD does', () => {
  assert.equal(extensionOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), '.tar.xz')
  assert.equal(extensionOf(Buffer.from([0x1f, 0x8b, 0x08])), '.tar.gz')
  assert.equal(extensionOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), '.tar.zst')
  assert.equal(extensionOf(Buffer.from('hsqs')), '.squashfs')
  const tar = Buffer.alloc(512)
  tar.write('ustar', 257)
  assert.equal(extensionOf(tar), '.tar')
  assert.equal(extensionOf(Buffer.from('nothing')), '')
})

test('readMultipart() streams parts split at any chunk boundary, as Go clients send them', async () => {
  const boundary = 'b0undary'
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="metadata"; filename="meta.tar.xz"\r\nContent-Type: application/octet-stream\r\n\r\n` +
      `META\r\n--not-it\r\n\r\n--${boundary}\r\nContent-Disposition: form-data; name="rootfs"; filename="rootfs.tar.xz"\r\n\r\n` +
      `ROOTFS-DATA\r\n--${boundary}--\r\n`,
  )
  assert.equal(multipartBoundary(`multipart/form-data; boundary=${boundary}`), boundary)
  assert.equal(multipartBoundary('application/octet-stream'), undefined)
  for (const size of [1, 3, 7, 64, body.length]) {
    const parts: { info: PartInfo; data: Buffer[] }[] = []
    function* chunks() {
      for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size)
    }
    await readMultipart(chunks(), boundary, (info) => {
      const data: Buffer[] = []
      parts.push({ info, data })
      return {
        write: (c) => Promise.resolve(void data.push(Buffer.from(c))),
        end: () => Promise.resolve(),
      }
    })
    assert.deepEqual(
      parts.map((p) => [p.info.name, p.info.filename, Buffer.concat(p.data).toString()]),
      [
        ['metadata', 'meta.tar.xz', 'META\r\n--not-it\r\n'],
        ['rootfs', 'rootfs.tar.xz', 'ROOTFS-DATA'],
      ],
      `chunk size ${size}`,
    )
  }
  function* cut() {
    yield body.subarray(0, 60)
  }
  await assert.rejects(
    readMultipart(cut(), boundary, () => ({ write: () => Promise.resolve(), end: () => Promise.resolve() })),
    /ended early/,
  )
})

test('GNU tar with the unpack flags keeps absolute symlinks and never writes through them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-tar-'))
  try {
    const src = join(dir, 'src')
    const victim = join(dir, 'victim')
    const target = join(dir, 'target')
    mkdirSync(join(src, 'rootfs'), { recursive: true })
    mkdirSync(victim)
    mkdirSync(target)
    symlinkSync(victim, join(src, 'rootfs', 'link'))
    writeFileSync(join(src, 'pwned'), 'x')
    const archive = join(dir, 'a.tar')
    const tar = (args: string[]) => spawnSync('tar', args, { encoding: 'utf8' })
    assert.equal(tar(['-cf', archive, '-C', src, 'rootfs/link']).status, 0)
    assert.equal(
      tar(['-rf', archive, '-C', src, '--transform', 's,^pwned$,rootfs/link/pwned,', 'pwned']).status,
      0,
    )
    const r = tar([...unpackFlags, '-C', target, '-xf', archive])
    assert.notEqual(r.status, 0, 'tar reports the member it refused to write')
    assert.equal(existsSync(join(victim, 'pwned')), false)
    assert.equal(readlinkSync(join(target, 'rootfs', 'link')), victim)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('checkMembers() refuses a rootfs, templates or metadata.yaml of the wrong type (a rootfs symlink to / above all)', () => {
  const cases: TarMember[][] = [
    [
      { name: 'metadata.yaml', type: '-' },
      { name: 'rootfs', type: 'l' },
    ],
    [{ name: './rootfs', type: 'l' }],
    [{ name: 'metadata.yaml', type: 'l' }],
    [{ name: 'templates', type: '-' }],
  ]
  for (const members of cases) assert.throws(() => checkMembers(members), /wrong type/)
  assert.doesNotThrow(() =>
    checkMembers([
      { name: 'metadata.yaml', type: '-' },
      { name: 'rootfs/', type: 'd' },
    ]),
  )
})

test('checkMembers() refuses anything under rootfs/ in the metadata half of a split image', () => {
  assert.throws(
    () =>
      checkMembers(
        [
          { name: 'metadata.yaml', type: '-' },
          { name: 'rootfs/etc/x', type: '-' },
        ],
        'metadata',
      ),
    /inside rootfs/,
  )
  assert.doesNotThrow(() =>
    checkMembers(
      [
        { name: 'metadata.yaml', type: '-' },
        { name: 'rootfs', type: 'l' },
      ],
      'rootfs',
    ),
  )
})

test('normalizeMember() drops . and empty components, so a path cannot hide below a symlink', () => {
  assert.equal(normalizeMember('./rootfs/./lnk//x/'), 'rootfs/lnk/x')
  assert.throws(
    () =>
      checkMembers(
        [
          { name: 'rootfs/lnk', type: 'l' },
          { name: 'rootfs/./lnk/x', type: '-' },
        ],
        'unified',
      ),
    /below a symbolic link/,
  )
})
