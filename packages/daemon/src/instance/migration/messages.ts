/**
 * @module The control channel's messages of LXD's migration protocol (proto2, package `migration`):
 * MigrationHeader (offer and answer) and MigrationControl (the final verdict), encoded with protobufjs.
 */
import protobuf from 'protobufjs'

/** The transfer methods a header names; Corral speaks only RSYNC. */
export const FsType = { RSYNC: 0, BTRFS: 1, ZFS: 2, RBD: 3, BLOCK_AND_RSYNC: 4 } as const

/** How process state travels: CRIU_RSYNC is live migration (refused); NONE marks a running source copied stateless. */
export const CriuType = { CRIU_RSYNC: 0, PHAUL: 1, NONE: 2 } as const

/** One key/value pair of a snapshot's config or device. */
export interface ConfigPair {
  key: string
  value: string
}

/** A snapshot as the offer describes it. */
export interface SnapshotInfo {
  name: string
  localConfig: ConfigPair[]
  profiles: string[]
  ephemeral: boolean
  localDevices: { name: string; config: ConfigPair[] }[]
  architecture: number
  stateful: boolean
  /** Unix seconds. */
  creationDate?: number
  lastUsedDate?: number
  expiryDate?: number
}

/** The rsync options both ends agree on. */
export interface RsyncFeatures {
  xattrs?: boolean
  delete?: boolean
  compress?: boolean
  bidirectional?: boolean
}

/** One entry of the map the source's files are shifted by on disk. */
export interface IdmapInfo {
  isuid: boolean
  isgid: boolean
  hostid: number
  nsid: number
  maprange: number
}

/** The offer (source to target) and the answer (target to source). */
export interface MigrationHeader {
  fs: number
  criu?: number
  idmap?: IdmapInfo[]
  snapshotNames?: string[]
  snapshots?: SnapshotInfo[]
  predump?: boolean
  rsyncFeatures?: RsyncFeatures
  refresh?: boolean
  volumeSize?: number
  indexHeaderVersion?: number
}

/** The verdict one end sends the other: success, or a failure with its message. */
export interface MigrationControl {
  success: boolean
  message?: string
}

const req = (type: string, id: number) => ({ rule: 'required', type, id })
const opt = (type: string, id: number) => ({ type, id })
const rep = (type: string, id: number) => ({ rule: 'repeated', type, id })

// Field numbers and types are the wire contract of LXD's migrate.proto; names are ours. Each
// type is proto2 (protobufjs's JSON defaults to proto3): an optional field set to false or 0 is
// still sent (explicit presence), as Go's proto2 code sends and expects it.
const root = protobuf.Root.fromJSON({
  nested: {
    migration: {
      nested: {
        MigrationFSType: { edition: 'proto2', values: FsType },
        CRIUType: { edition: 'proto2', values: CriuType },
        IDMapType: {
          edition: 'proto2',
          fields: {
            isuid: req('bool', 1),
            isgid: req('bool', 2),
            hostid: req('int32', 3),
            nsid: req('int32', 4),
            maprange: req('int32', 5),
          },
        },
        Config: { edition: 'proto2', fields: { key: req('string', 1), value: req('string', 2) } },
        Device: { edition: 'proto2', fields: { name: req('string', 1), config: rep('Config', 2) } },
        Snapshot: {
          edition: 'proto2',
          fields: {
            name: req('string', 1),
            localConfig: rep('Config', 2),
            profiles: rep('string', 3),
            ephemeral: req('bool', 4),
            localDevices: rep('Device', 5),
            architecture: req('int32', 6),
            stateful: req('bool', 7),
            creationDate: opt('int64', 8),
            lastUsedDate: opt('int64', 9),
            expiryDate: opt('int64', 10),
          },
        },
        RsyncFeatures: {
          edition: 'proto2',
          fields: {
            xattrs: opt('bool', 1),
            delete: opt('bool', 2),
            compress: opt('bool', 3),
            bidirectional: opt('bool', 4),
          },
        },
        ZfsFeatures: {
          edition: 'proto2',
          fields: { compress: opt('bool', 1), migrationHeader: opt('bool', 2) },
        },
        BtrfsFeatures: {
          edition: 'proto2',
          fields: {
            migrationHeader: opt('bool', 1),
            headerSubvolumes: opt('bool', 2),
            headerSubvolumeUuids: opt('bool', 3),
          },
        },
        MigrationHeader: {
          edition: 'proto2',
          fields: {
            fs: req('MigrationFSType', 1),
            criu: opt('CRIUType', 2),
            idmap: rep('IDMapType', 3),
            snapshotNames: rep('string', 4),
            snapshots: rep('Snapshot', 5),
            predump: opt('bool', 7),
            rsyncFeatures: opt('RsyncFeatures', 8),
            refresh: opt('bool', 9),
            zfsFeatures: opt('ZfsFeatures', 10),
            volumeSize: opt('int64', 11),
            btrfsFeatures: opt('BtrfsFeatures', 12),
            indexHeaderVersion: opt('uint32', 13),
          },
        },
        MigrationControl: {
          edition: 'proto2',
          fields: { success: req('bool', 1), message: opt('string', 2) },
        },
      },
    },
  },
})

const headerType = root.lookupType('migration.MigrationHeader')
const controlType = root.lookupType('migration.MigrationControl')

/** Plain objects out of a decoded message: enums and 64-bit integers as numbers, absent optionals absent. */
const plain = { enums: Number, longs: Number, arrays: true } as const

function decode<T>(type: protobuf.Type, buf: Uint8Array, what: string): T {
  try {
    return type.toObject(type.decode(buf), plain) as T
  } catch (err) {
    throw new Error(`Invalid migration ${what}: ${(err as Error).message}`, { cause: err })
  }
}

function encode(type: protobuf.Type, msg: object): Buffer {
  const why = type.verify(msg)
  if (why) throw new Error(`Invalid migration message: ${why}`)
  return Buffer.from(type.encode(type.fromObject(msg)).finish())
}

/** Encodes a MigrationHeader. */
export const encodeHeader = (h: MigrationHeader): Buffer => encode(headerType, h)

/** Decodes a MigrationHeader; a message missing a required field is refused. */
export const decodeHeader = (buf: Uint8Array): MigrationHeader => decode(headerType, buf, 'header')

/** Encodes a MigrationControl. */
export const encodeControl = (c: MigrationControl): Buffer => encode(controlType, c)

/** Decodes a MigrationControl. */
export const decodeControl = (buf: Uint8Array): MigrationControl =>
  decode(controlType, buf, 'control message')

/** The rsync features a header names, as LXD lists them. */
export function rsyncFeatureList(h: MigrationHeader): string[] {
  const f = h.rsyncFeatures ?? {}
  return (['xattrs', 'delete', 'compress', 'bidirectional'] as const).filter((k) => f[k] === true)
}

/** The features the peer may use: an old peer without `bidirectional` means LXD 3.7's fixed set. */
export function peerRsyncFeatures(h: MigrationHeader): string[] {
  const list = rsyncFeatureList(h)
  return list.includes('bidirectional') ? list : ['xattrs', 'delete', 'compress']
}
