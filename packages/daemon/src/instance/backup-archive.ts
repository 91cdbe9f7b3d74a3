/**
 * @module The layout of a backup tarball, checked member by member before anything is stored:
 * everything under `backup/`, an `index.yaml`, `container/` and `snapshots/<name>/` volumes, each
 * volume held to the same member rules as an image (no `..`, nothing below a symlink, hard links
 * only to earlier members of the same volume, device nodes only from the allow-list under rootfs/dev).
 */
import { ApiError, badRequest } from '@corral/api'
import { checkMembers, normalizeMember, unsafeMemberReason, type TarMember } from '../image/tar.js'
import { validateSnapshotName } from '../util/names.js'

/** A checked backup archive: how its names are stored, and the members of each volume. */
export interface BackupLayout {
  /** True when names are stored as `./backup/...` (tar then counts `.` as a component). */
  dotted: boolean
  /** The stored name of backup/index.yaml. */
  index: string
  /** The snapshot volumes, in archive order. */
  snapshots: string[]
}

/** The members the layout itself fixes, with the type each must have. */
const fixedTypes: Record<string, string> = {
  backup: 'd',
  'backup/index.yaml': '-',
  'backup/container': 'd',
  'backup/snapshots': 'd',
}

const refuse = (why: string) => badRequest(`Invalid backup archive: ${why}`)

/** Runs an image-member check on one volume, naming the failure as the backup's. */
function checkVolume(volume: string, members: TarMember[]): void {
  try {
    checkMembers(members, 'unified')
  } catch (err) {
    if (err instanceof ApiError) throw refuse(`${volume}: ${err.message.replace(/^Image member/, 'member')}`)
    throw err
  }
  if (!members.some((m) => m.name === 'rootfs' || m.name.startsWith('rootfs/')))
    throw refuse(`${volume} has no rootfs/`)
}

/** Checks every member of a backup archive (as `listTar` lists them); 400 naming the first bad one. */
export function checkBackupMembers(members: readonly TarMember[]): BackupLayout {
  let dotted: boolean | undefined
  let index: string | undefined
  const volumes = new Map<string, TarMember[]>([['container', []]])
  const snapshots: string[] = []
  for (const m of members) {
    if (m.name.startsWith('/')) throw refuse(`member "${m.name}" has an absolute path`)
    const reason = unsafeMemberReason(m.name)
    if (reason) throw refuse(reason.replace(/^Image member/, 'member'))
    const norm = normalizeMember(m.name)
    if (norm === '') {
      if (m.type !== 'd') throw refuse(`member "${m.name}" has the wrong type`)
      continue
    }
    const stored = m.name.replace(/\/$/, '')
    const isDotted = stored.startsWith('./')
    if ((isDotted ? stored.slice(2) : stored) !== norm) throw refuse(`member "${m.name}" is not a plain path`)
    if (dotted !== undefined && dotted !== isDotted)
      throw refuse(`member "${m.name}" is named unlike the others`)
    dotted = isDotted
    const parts = norm.split('/')
    if (parts[0] !== 'backup') throw refuse(`member "${m.name}" is outside backup/`)
    const want = fixedTypes[norm] ?? (parts[1] === 'snapshots' && parts.length === 3 ? 'd' : undefined)
    if (want !== undefined && m.type !== want) throw refuse(`member "${m.name}" has the wrong type`)
    if (norm === 'backup/index.yaml') {
      if (index !== undefined) throw refuse('more than one backup/index.yaml')
      index = m.name
      continue
    }
    if (want !== undefined && parts.length < 3) continue
    let volume: string
    let rel: string[]
    if (parts[1] === 'container') [volume, rel] = ['container', parts.slice(2)]
    else if (parts[1] === 'snapshots' && parts.length >= 3) {
      validateSnapshotName(parts[2]!)
      volume = `snapshots/${parts[2]}`
      rel = parts.slice(3)
      if (!volumes.has(volume)) {
        volumes.set(volume, [])
        snapshots.push(parts[2]!)
      }
    } else if (/^backup\/(container|snapshots\/.*)\.bin$|^backup\/optimized_header\.yaml$/.test(norm))
      throw refuse('optimized (driver-specific) backups are not supported')
    else throw refuse(`unexpected member "${m.name}"`)
    const entry: TarMember = { ...m, name: rel.length === 0 ? '.' : rel.join('/') }
    if (m.type === 'h') {
      const target = normalizeMember(m.link ?? '')
      const base = `backup/${volume}/`
      if (!target.startsWith(base)) throw refuse(`member "${m.name}" is a hard link outside its volume`)
      entry.link = target.slice(base.length)
    }
    volumes.get(volume)!.push(entry)
  }
  if (index === undefined) throw refuse('backup/index.yaml is missing')
  for (const [volume, list] of volumes) checkVolume(`backup/${volume}`, list)
  return { dotted: dotted ?? false, index, snapshots }
}
