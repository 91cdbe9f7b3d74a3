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
  type ArchiveKind,
  type TarMember,
} from '../../src/image/tar.js'
import { parseSquashfsListing } from '../../src/image/squashfs.js'
import {
  AttemptLimiter,
  hashTrustPassword,
  trustPasswordMatches,
} from '../../src/certificate/trust-password.js'
import { maxPreamble } from '../../src/image/multipart.js'
import { unpackFlags } from '../../src/image/unpack.js'

test('unsafeMemberReason() refuses ".." components; a leading "/" is stripped as tar strips it', () => {
  assert.equal(unsafeMemberReason('/etc/passwd'), undefined)
  assert.equal(normalizeMember('/rootfs/etc/inittab'), 'rootfs/etc/inittab')
  assert.equal(normalizeMember('//./rootfs/'), 'rootfs')
  assert.match(unsafeMemberReason('../evil') ?? '', /"\.\." path component/)
  assert.match(unsafeMemberReason('/rootfs/../../evil') ?? '', /"\.\." path component/)
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
    () =>
      checkMembers([
        { name: 'rootfs/', type: 'd' },
        { name: 'rootfs/etc', type: 'l' },
        { name: 'rootfs/etc', type: '-' },
      ]),
    /replaces a symbolic link/,
  )
  assert.throws(
    () => checkMembers([{ name: 'rootfs/x', type: 'h', link: '../../etc/shadow' }]),
    /hard link target/,
  )
  // An absolute name lands below the target like any other, so it passes; a rootfs symlink does not.
  assert.doesNotThrow(() => checkMembers([{ name: '/rootfs', type: 'd' }]))
  assert.throws(() => checkMembers([{ name: '/rootfs', type: 'l' }]), /wrong type/)
})

test('checkMembers() takes hard links only to earlier members, never through a symlink', () => {
  assert.doesNotThrow(() =>
    checkMembers([
      { name: '/rootfs/bin/a', type: '-' },
      { name: '/rootfs/bin/b', type: 'h', link: 'rootfs/bin/a' },
      { name: './rootfs/bin/c', type: 'h', link: '/rootfs/bin/a' },
    ]),
  )
  // rootfs/etc -> /etc, then rootfs/x linked to rootfs/etc/shadow: link() would resolve to the host's file.
  assert.throws(
    () =>
      checkMembers([
        { name: 'rootfs/etc', type: 'l' },
        { name: 'rootfs/x', type: 'h', link: 'rootfs/etc/shadow' },
      ]),
    /hard link through a symbolic link/,
  )
  assert.throws(
    () => checkMembers([{ name: 'rootfs/x', type: 'h', link: 'etc/shadow' }]),
    /not an earlier member/,
  )
  // A hard link to a symlink is one too: nothing may go below it.
  assert.throws(
    () =>
      checkMembers([
        { name: 'rootfs/l', type: 'l' },
        { name: 'rootfs/m', type: 'h', link: 'rootfs/l' },
        { name: 'rootfs/m/x', type: '-' },
      ]),
    /below a symbolic link/,
  )
})

test('checkMembers() lets only the devices a container may open in, and only under rootfs/dev', () => {
  const dev = (name: string, type: string, device: string): TarMember => ({ name, type, device })
  assert.doesNotThrow(() =>
    checkMembers([
      dev('rootfs/dev/null', 'c', '1,3'),
      dev('./rootfs/dev/pts/0', 'c', '136,0'),
      dev('/rootfs/dev/fuse', 'c', '10,229'),
    ]),
  )
  assert.doesNotThrow(() => checkMembers([dev('./dev/urandom', 'c', '1,9')], 'rootfs'))
  const refused: [TarMember, ArchiveKind][] = [
    [dev('rootfs/dev/sda', 'b', '8,0'), 'unified'],
    [dev('rootfs/dev/mem', 'c', '1,1'), 'unified'],
    [dev('rootfs/dev/kmsg', 'c', '1,11'), 'unified'],
    [dev('rootfs/usr/bin/null', 'c', '1,3'), 'unified'],
    [dev('dev/null', 'c', '1,3'), 'unified'],
    [dev('templates/null', 'c', '1,3'), 'metadata'],
    [dev('./sda', 'b', '8,0'), 'rootfs'],
  ]
  for (const [m, kind] of refused)
    assert.throws(() => checkMembers([m], kind), /device .* that containers may not use/, m.name)
})

test('checkMembers() refuses a second metadata.yaml and a target directory entry that is not one', () => {
  assert.throws(
    () =>
      checkMembers([
        { name: 'metadata.yaml', type: '-' },
        { name: '/metadata.yaml', type: '-' },
      ]),
    /more than one metadata\.yaml/,
  )
  assert.throws(() => checkMembers([{ name: './', type: 'l' }]), /wrong type/)
  assert.doesNotThrow(() => checkMembers([{ name: './', type: 'd' }]))
})

test('parseSquashfsListing() reads unsquashfs -lln lines, devices and symlinks included', () => {
  const text = [
    'drwxr-xr-x 0/0                      52 2026-12-01 22:44 ',
    'drwxr-xr-x 0/0                      33 2026-12-01 22:44 /bin',
    'lrwxrwxrwx 0/0                      12 2026-12-01 22:44 /bin/sh -> /bin/busybox',
    'crw-r--r-- 0/0                   1,  3 2026-12-01 22:44 /dev/null',
    '-rw-r--r-- 1000/1000         10485762 2026-12-01 22:44 /sparse file',
  ].join('\n')
  assert.deepEqual(parseSquashfsListing(text), [
    { name: '.', type: 'd' },
    { name: './bin', type: 'd' },
    { name: './bin/sh', type: 'l' },
    { name: './dev/null', type: 'c', device: '1,3' },
    { name: './sparse file', type: '-' },
  ])
  assert.throws(() => parseSquashfsListing('garbage line\n'), /unreadable squashfs listing/)
})

test('parseListing() reads device numbers from tar -tv', () => {
  assert.deepEqual(
    parseListing('rootfs/dev/null\n', 'crw-rw-rw- 0/0       1,3 2024-01-01 00:00 rootfs/dev/null\n'),
    [{ name: 'rootfs/dev/null', type: 'c', device: '1,3' }],
  )
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

test('readMultipart() refuses a body with no boundary in its first 64 KiB instead of holding it', async () => {
  let sent = 0
  function* endless() {
    for (let i = 0; i < 1000; i++) {
      sent += 4096
      yield Buffer.alloc(4096, 0x41)
    }
  }
  await assert.rejects(
    readMultipart(endless(), 'b', () => ({ write: () => Promise.resolve(), end: () => Promise.resolve() })),
    /no boundary in the first 64 KiB/,
  )
  assert.ok(sent <= maxPreamble + 8192, `read ${sent} bytes before refusing`)
})

test('the trust password is kept as a salted scrypt hash and matched in constant time', async () => {
  const a = await hashTrustPassword('s3cret')
  const b = await hashTrustPassword('s3cret')
  assert.match(a, /^scrypt:16384:8:1:[0-9a-f]{64}:[0-9a-f]{128}$/)
  assert.notEqual(a, b, 'a fresh salt each time')
  assert.ok(!a.includes('s3cret'))
  assert.equal(await trustPasswordMatches(a, 's3cret'), true)
  assert.equal(await trustPasswordMatches(a, 's3creT'), false)
  assert.equal(await trustPasswordMatches(a, ''), false)
  assert.equal(await trustPasswordMatches('s3cret', 's3cret'), false, 'a plain value is no hash')
  assert.equal(await trustPasswordMatches(a.replace(':16384:', ':1099511627776:'), 's3cret'), false)
})

test('AttemptLimiter allows five attempts a minute per address, then 429 until the window passes', () => {
  let now = 1_000_000
  const limiter = new AttemptLimiter(() => now)
  for (let i = 0; i < 5; i++) limiter.take('198.18.0.1')
  assert.throws(() => limiter.take('198.18.0.1'), { status: 429 })
  limiter.take('198.18.0.2')
  now += 60_000
  assert.doesNotThrow(() => limiter.take('198.18.0.1'))
})
