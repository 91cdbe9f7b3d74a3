/** @module Unit: the backup tarball layout check (member by member), backup names, and what a copy keeps of volatile keys. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TarMember } from '../../src/image/tar.js'
import { checkBackupMembers } from '../../src/instance/backup-archive.js'
import { nextBackupName } from '../../src/instance/backup-create.js'
import { validateBackupName } from '../../src/instance/backup-files.js'

const d = (name: string): TarMember => ({ name, type: 'd' })
const f = (name: string): TarMember => ({ name, type: '-' })
const base = (prefix = ''): TarMember[] =>
  [
    d('backup/'),
    f('backup/index.yaml'),
    d('backup/container/'),
    f('backup/container/metadata.yaml'),
    d('backup/container/rootfs/'),
    f('backup/container/rootfs/file'),
  ].map((m) => ({ ...m, name: prefix + m.name }))

const refused = (members: TarMember[], message: RegExp) =>
  assert.throws(
    () => checkBackupMembers(members),
    (err: Error & { status?: number }) => {
      assert.match(err.message, message)
      return true
    },
  )

test('a well-formed backup passes, with its snapshots in archive order, stored plain or as ./', () => {
  const snaps = [
    d('backup/snapshots/'),
    d('backup/snapshots/s1/'),
    d('backup/snapshots/s1/rootfs/'),
    d('backup/snapshots/s0/'),
    d('backup/snapshots/s0/rootfs/'),
  ]
  assert.deepEqual(checkBackupMembers([...base(), ...snaps]), {
    dotted: false,
    index: 'backup/index.yaml',
    snapshots: ['s1', 's0'],
  })
  assert.equal(checkBackupMembers([d('./'), ...base('./')]).dotted, true)
  // A hard link to an earlier member of the same volume is fine.
  assert.ok(
    checkBackupMembers([
      ...base(),
      { name: 'backup/container/rootfs/again', type: 'h', link: 'backup/container/rootfs/file' },
    ]),
  )
})

test('members that would land outside, or where the layout has something else, are refused', () => {
  refused([...base(), f('/etc/cron.d/x')], /absolute path/)
  refused([...base(), f('backup/container/../../x')], /".." path component/)
  refused([...base(), f('x')], /outside backup\//)
  refused([...base(), f('backup//container/rootfs/y')], /not a plain path/)
  refused([...base('./'), f('backup/container/rootfs/y')], /named unlike the others/)
  refused(
    base().filter((m) => m.name !== 'backup/index.yaml'),
    /index\.yaml is missing/,
  )
  refused([...base(), f('backup/index.yaml')], /more than one/)
  refused([...base(), { name: 'backup/snapshots', type: 'l', link: '/' }], /wrong type/)
  refused([...base(), { name: 'backup/snapshots/s1', type: 'l', link: '/' }], /wrong type/)
  refused([{ name: 'backup/container', type: 'l', link: '/' }, f('backup/index.yaml')], /wrong type/)
  refused([...base().slice(0, 4), { name: 'backup/container/rootfs', type: 'l', link: '/' }], /wrong type/)
  refused(
    [
      ...base(),
      { name: 'backup/container/rootfs/l', type: 'l', link: '/' },
      f('backup/container/rootfs/l/x'),
    ],
    /below a symbolic link/,
  )
  refused(
    [...base(), { name: 'backup/container/rootfs/h', type: 'h', link: 'etc/shadow' }],
    /hard link outside its volume/,
  )
  refused(
    [
      ...base(),
      { name: 'backup/container/rootfs/l', type: 'l', link: '/etc' },
      f('backup/container/rootfs/l'),
    ],
    /replaces a symbolic link/,
  )
  refused(
    [
      ...base(),
      d('backup/snapshots/s1/'),
      d('backup/snapshots/s1/rootfs/'),
      { name: 'backup/snapshots/s1/rootfs/h', type: 'h', link: 'backup/container/rootfs/file' },
    ],
    /hard link outside its volume/,
  )
  refused([...base(), { name: 'backup/container/rootfs/dev/sda', type: 'b', device: '8,0' }], /block device/)
  refused([...base(), { name: 'backup/container/kmsg', type: 'c', device: '1,11' }], /character device/)
  refused([...base(), f('backup/container.bin')], /optimized/)
  refused(
    base().filter((m) => !m.name.includes('rootfs')),
    /has no rootfs/,
  )
})

test("backup names: LXD's backupN numbering, no slashes, nothing that names another file", () => {
  assert.equal(nextBackupName([]), 'backup0')
  assert.equal(nextBackupName(['backup0', 'backup4', 'mine']), 'backup5')
  assert.throws(() => validateBackupName('a/b'), /may not contain slashes/)
  for (const bad of ['', '.hidden', 'x.json', 'a b', '..'])
    assert.throws(() => validateBackupName(bad), /Invalid backup name/)
  validateBackupName('backup0')
})
