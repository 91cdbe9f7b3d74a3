/** @module Unit tier: the migration control messages on the wire, rsync feature negotiation and the rsync arguments. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  CriuType,
  FsType,
  decodeControl,
  decodeHeader,
  encodeControl,
  encodeHeader,
  peerRsyncFeatures,
  type MigrationHeader,
} from '../../src/instance/migration/messages.js'
import { featureArgs, receiveArgs, sendArgs } from '../../src/instance/migration/rsync.js'
import { answerOf } from '../../src/instance/migration/sink.js'
import { byteSize } from '../../src/instance/migration/progress.js'

test('a header survives the wire with its snapshots, enums and 64-bit dates', () => {
  const header: MigrationHeader = {
    fs: FsType.RSYNC,
    criu: CriuType.NONE,
    idmap: [{ isuid: true, isgid: false, hostid: 1000000, nsid: 0, maprange: 65536 }],
    snapshotNames: ['s1'],
    snapshots: [
      {
        name: 's1',
        localConfig: [{ key: 'limits.cpu', value: '1' }],
        profiles: ['default'],
        ephemeral: false,
        localDevices: [{ name: 'root', config: [{ key: 'path', value: '/' }] }],
        architecture: 2,
        stateful: false,
        creationDate: 4102444800,
        lastUsedDate: 0,
        expiryDate: 0,
      },
    ],
    predump: false,
    rsyncFeatures: { xattrs: true, delete: true, compress: false, bidirectional: true },
    indexHeaderVersion: 0,
  }
  assert.deepEqual(decodeHeader(encodeHeader(header)), header)
})

test("the bytes are LXD's: field numbers and varints of migrate.proto", () => {
  // MigrationControl{success: true, message: "no"}: field 1 varint 1, field 2 length-delimited.
  assert.deepEqual([...encodeControl({ success: true, message: 'no' })], [0x08, 0x01, 0x12, 0x02, 0x6e, 0x6f])
  // MigrationHeader{fs: RSYNC, criu: NONE, refresh: true}: fields 1, 2 and 9.
  assert.deepEqual(
    [...encodeHeader({ fs: FsType.RSYNC, criu: CriuType.NONE, refresh: true })],
    [0x08, 0x00, 0x10, 0x02, 0x48, 0x01],
  )
  assert.deepEqual(decodeControl(Buffer.from([0x08, 0x00, 0x12, 0x03, 0x62, 0x61, 0x64])), {
    success: false,
    message: 'bad',
  })
})

test('proto2 presence: an optional field set to false or 0 is on the wire, as Go sends it', () => {
  assert.deepEqual([...encodeHeader({ fs: FsType.RSYNC, predump: false })], [0x08, 0x00, 0x38, 0x00])
  assert.deepEqual(decodeHeader(Buffer.from([0x08, 0x00, 0x10, 0x00])), {
    fs: 0,
    criu: CriuType.CRIU_RSYNC,
    idmap: [],
    snapshotNames: [],
    snapshots: [],
  })
})

test('a message missing a required field, or garbage, is refused', () => {
  assert.throws(() => decodeHeader(Buffer.from([0x48, 0x01])), /Invalid migration header/)
  assert.throws(() => decodeControl(Buffer.from([0xff, 0xff, 0xff])), /Invalid migration control message/)
})

test('rsync features: bidirectional peers say what they use; an old peer means LXD 3.7s fixed set', () => {
  assert.deepEqual(peerRsyncFeatures({ fs: 0, rsyncFeatures: { xattrs: true, bidirectional: true } }), [
    'xattrs',
    'bidirectional',
  ])
  assert.deepEqual(peerRsyncFeatures({ fs: 0 }), ['xattrs', 'delete', 'compress'])
  assert.deepEqual(featureArgs(['xattrs', 'delete']), [
    '--xattrs',
    '--filter=-x security.selinux',
    '--delete',
  ])
})

test('the receiver compares every file by content (--ignore-times) and needs nothing of the sender for it', () => {
  const recv = receiveArgs('/pool/containers/.create.c1/volume', ['delete'])
  assert.ok(recv.includes('--ignore-times'))
  assert.ok(
    !recv.includes('--checksum') && !recv.some((a) => /^-[a-zA-Z]*c/.test(a) && !a.startsWith('-vlog')),
  )
  assert.deepEqual(recv.slice(-2), ['.', '/pool/containers/.create.c1/volume/'])
  const send = sendArgs('/pool/containers/c1', ['delete'], ['/usr/bin/node', '/x/relay.js', 'corral-rsync-0'])
  assert.ok(!send.includes('--ignore-times') && !send.includes('--checksum'))
  assert.equal(send[send.indexOf('-e') + 1], "'/usr/bin/node' '/x/relay.js' 'corral-rsync-0'")
  assert.throws(() => sendArgs('/d', [], ["it's"]), /Cannot pass/)
})

test('the target answers rsync whatever is preferred, with the common features, and refuses live offers', () => {
  const offer: MigrationHeader = {
    fs: FsType.BTRFS,
    criu: CriuType.NONE,
    snapshotNames: ['s1'],
    snapshots: [],
    rsyncFeatures: { xattrs: true, delete: true, compress: true, bidirectional: true },
  }
  const answer = answerOf(offer, [{ name: 's1' }])
  assert.equal(answer.fs, FsType.RSYNC)
  assert.equal(answer.criu, CriuType.NONE, 'a running source copied stateless gets its final pass')
  assert.deepEqual(answer.rsyncFeatures, { xattrs: true, delete: true, compress: false, bidirectional: true })
  assert.deepEqual(answer.snapshotNames, ['s1'])
  assert.equal(answer.indexHeaderVersion, 0)
  assert.equal(answerOf({ fs: FsType.RSYNC }, []).criu, undefined, 'a stopped source: no final pass')
  assert.throws(
    () => answerOf({ fs: FsType.RSYNC, criu: CriuType.CRIU_RSYNC }, []),
    /Live migration is not supported/,
  )
  assert.throws(() => answerOf({ fs: FsType.RSYNC, predump: true }, []), /pre-dumps/)
  assert.throws(
    () =>
      answerOf(
        {
          fs: FsType.RSYNC,
          idmap: [{ isuid: true, isgid: true, hostid: 1000000, nsid: 0, maprange: 65536 }],
        },
        [],
      ),
    /shifted on disk/,
  )
})

test("progress sizes read as LXD's: decimal units, two decimals", () => {
  assert.equal(byteSize(999), '999B')
  assert.equal(byteSize(1234), '1.23kB')
  assert.equal(byteSize(5_600_000), '5.60MB')
})
