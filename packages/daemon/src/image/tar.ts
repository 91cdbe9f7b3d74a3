/** @module Reading image tarballs as GNU tar (and so LXD 5.0.2) reads them: listing, member safety, one member's content. */
import { open } from 'node:fs/promises'
import { badRequest } from '@corral/api'
import type { State } from '../state.js'

/** One archive member: its name as stored, its type letter from `tar -tv`, a link target, a device number. */
export interface TarMember {
  name: string
  type: string
  link?: string
  /** `major,minor` of a character or block device member. */
  device?: string
}

/**
 * A member name as GNU tar extracts it: leading `/` stripped (tar's default, as LXD 5.0.2
 * relies on), `.` and empty components dropped (`/./rootfs//bin/` → `rootfs/bin`).
 */
export function normalizeMember(name: string): string {
  return name
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/')
}

/** Which archive is checked: a unified image, the metadata half or the rootfs half of a split one. */
export type ArchiveKind = 'unified' | 'metadata' | 'rootfs'

/** The member types the image layout requires at the top of a unified or metadata archive. */
const layoutTypes: Record<string, string> = { rootfs: 'd', templates: 'd', 'metadata.yaml': '-' }

/**
 * The character devices a container may open (LXC's common.conf allow-list): the only device
 * nodes an image may carry, and only under /dev. Any other node (a disk, /dev/mem, /dev/kmsg)
 * would be a handle on the host for whoever reaches the rootfs; block devices never pass.
 */
const allowedDevices = new Set(['1,3', '1,5', '1,7', '1,8', '1,9', '5,0', '5,1', '5,2', '10,229'])

/** Why a device member may not be in an image, or undefined when it may (`path` is rootfs-relative). */
export function deviceReason(m: TarMember, path: string | undefined): string | undefined {
  const number = (m.device ?? '').replace(/\s+/g, '')
  const allowed =
    m.type === 'c' && (allowedDevices.has(number) || /^136,\d+$/.test(number)) && path?.startsWith('dev/')
  if (allowed) return undefined
  const kind = m.type === 'b' ? 'block' : 'character'
  return `Image member "${m.name}" is a ${kind} device (${number || '?'}) that containers may not use`
}

/** Why a member path could write outside the target, or undefined when it is safe. */
export function unsafeMemberReason(name: string): string | undefined {
  // A leading `/` is not one: tar strips it and the name stays below the target.
  if (name.split('/').includes('..')) return `Image member "${name}" has a ".." path component`
  return undefined
}

/** True when any proper prefix of a normalized path is in `links`. */
function belowLink(norm: string, links: ReadonlySet<string>): boolean {
  const parts = norm.split('/')
  for (let i = 1; i < parts.length; i++) if (links.has(parts.slice(0, i).join('/'))) return true
  return false
}

/**
 * Throws 400 unless every member lands inside the target as what the layout expects: no `..`,
 * nothing below a symlink, hard links only to earlier members (never through a symlink), device
 * nodes only from the allow-list under rootfs/dev, one metadata.yaml, layout entries of the right type.
 */
export function checkMembers(members: readonly TarMember[], kind: ArchiveKind = 'unified'): void {
  const symlinks = new Set<string>()
  const seen = new Set<string>()
  for (const m of members) {
    const norm = normalizeMember(m.name)
    const top = norm.split('/')[0] ?? ''
    const reason = unsafeMemberReason(m.name)
    if (reason) throw badRequest(reason)
    // The target directory itself (`./`, `/`): anything but a directory would replace it.
    if (norm === '' && m.type !== 'd') throw badRequest(`Image member "${m.name}" has the wrong type`)
    if (kind !== 'rootfs') {
      // A `rootfs` that is a symlink (say to /) would send the unpack, and the container, onto the host.
      const want = layoutTypes[norm]
      if (want !== undefined && m.type !== want)
        throw badRequest(`Image member "${m.name}" has the wrong type`)
      if (kind === 'metadata' && top === 'rootfs')
        throw badRequest(`Image metadata member "${m.name}" is inside rootfs/`)
      if (norm === 'metadata.yaml' && seen.has(norm))
        throw badRequest('Invalid image archive: more than one metadata.yaml')
    }
    if (belowLink(norm, symlinks)) throw badRequest(`Image member "${m.name}" is below a symbolic link`)
    // A second member of a symlink's name: some unpackers (unsquashfs before 4.5.1) write through it.
    if (symlinks.has(norm)) throw badRequest(`Image member "${m.name}" replaces a symbolic link`)
    if (m.type === 'h') {
      const target = normalizeMember(m.link ?? '')
      const linkReason = unsafeMemberReason(m.link ?? '')
      if (linkReason) throw badRequest(`${linkReason} as a hard link target`)
      // link() resolves the target's directories: through a symlink it would reach the host.
      if (belowLink(target, symlinks))
        throw badRequest(`Image member "${m.name}" is a hard link through a symbolic link`)
      if (!seen.has(target))
        throw badRequest(
          `Image member "${m.name}" is a hard link to "${m.link ?? ''}", not an earlier member`,
        )
      // A hard link to a symlink is a symlink.
      if (symlinks.has(target)) symlinks.add(norm)
    }
    if (m.type === 'c' || m.type === 'b') {
      const inRootfs = kind === 'rootfs' ? norm : top === 'rootfs' ? norm.slice('rootfs/'.length) : undefined
      const why = deviceReason(m, inRootfs)
      if (why) throw badRequest(why)
    }
    if (m.type === 'l') symlinks.add(norm)
    seen.add(norm)
  }
}

/** Pairs `tar -tf` names with the type letters, hard link targets and device numbers of `tar -tvf` lines. */
export function parseListing(names: string, verbose: string): TarMember[] {
  const nameLines = names.split('\n').filter((l) => l !== '')
  const longLines = verbose.split('\n').filter((l) => l !== '')
  if (nameLines.length !== longLines.length) throw badRequest('Unable to list the image archive members')
  return nameLines.map((name, i) => {
    const line = longLines[i]!
    const type = line[0] === '-' ? '-' : line[0]!
    if (type === 'c' || type === 'b') {
      const dev = /^\S+ \S+ +(\d+), *(\d+) /.exec(line)
      return { name, type, device: dev ? `${dev[1]},${dev[2]}` : '' }
    }
    const marker = ` ${name} link to `
    const at = line.indexOf(marker)
    return type === 'h' && at >= 0 ? { name, type, link: line.slice(at + marker.length) } : { name, type }
  })
}

/** Lists an archive's members; 400 when it is not a readable (possibly compressed) tar. */
export async function listTar(state: State, file: string): Promise<TarMember[]> {
  try {
    const opts = { timeoutMs: 600_000 }
    const names = await state.host.run('tar', ['--quoting-style=escape', '-tf', file], opts)
    const long = await state.host.run(
      'tar',
      ['--quoting-style=escape', '--numeric-owner', '-tvf', file],
      opts,
    )
    return parseListing(names.stdout, long.stdout)
  } catch (err) {
    const detail =
      err instanceof Error ? err.message.split(': ').slice(1).join(': ') || err.message : String(err)
    throw badRequest(`Invalid image archive: ${detail.split('\n')[0]}`)
  }
}

/** The content of one member, found by its exact stored name. */
export async function readMember(state: State, file: string, member: string): Promise<string> {
  const r = await state.host.run('tar', ['-xOf', file, '--', member], { timeoutMs: 600_000 })
  return r.stdout
}

/** The file extension LXD gives an archive by its magic bytes (`.tar.xz`, `.tar.gz`, …), '' if unknown. */
export async function detectExtension(file: string): Promise<string> {
  const fh = await open(file, 'r')
  try {
    const head = Buffer.alloc(512)
    const { bytesRead } = await fh.read(head, 0, 512, 0)
    return extensionOf(head.subarray(0, bytesRead))
  } finally {
    await fh.close()
  }
}

/** The extension for a file's first bytes. */
export function extensionOf(head: Buffer): string {
  const starts = (...bytes: number[]): boolean => bytes.every((b, i) => head[i] === b)
  if (starts(0x1f, 0x8b)) return '.tar.gz'
  if (starts(0x42, 0x5a, 0x68)) return '.tar.bz2'
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return '.tar.xz'
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return '.tar.zst'
  if (starts(0x5d, 0x00, 0x00)) return '.tar.lzma'
  if (starts(0x68, 0x73, 0x71, 0x73)) return '.squashfs'
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return '.tar'
  return ''
}
