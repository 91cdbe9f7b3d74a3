/** @module Reading image tarballs with GNU tar: listing, member path safety, one member's content. */
import { open } from 'node:fs/promises'
import { badRequest } from '@corral/api'
import type { State } from '../state.js'

/** One archive member: its name as stored, its type letter from `tar -tv`, and a link target. */
export interface TarMember {
  name: string
  type: string
  link?: string
}

/** A member name without its leading `./` and trailing `/` (`./rootfs/bin/` → `rootfs/bin`). */
export function normalizeMember(name: string): string {
  // Drop every empty and `.` component, so `rootfs/./x` and `rootfs//x` compare as `rootfs/x`.
  return name
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/')
}

/** Which archive is checked: a unified image, the metadata half or the rootfs half of a split one. */
export type ArchiveKind = 'unified' | 'metadata' | 'rootfs'

/** The member types the image layout requires at the top of a unified or metadata archive. */
const layoutTypes: Record<string, string> = { rootfs: 'd', templates: 'd', 'metadata.yaml': '-' }

/** Why a member path could write outside the target, or undefined when it is safe. */
export function unsafeMemberReason(name: string): string | undefined {
  if (name.startsWith('/')) return `Image member "${name}" has an absolute path`
  if (name.split('/').includes('..')) return `Image member "${name}" has a ".." path component`
  return undefined
}

/** Throws 400 when any member escapes the target: absolute or `..` names, hard links out, entries under a symlink. */
export function checkMembers(members: readonly TarMember[], kind: ArchiveKind = 'unified'): void {
  const symlinks = new Set<string>()
  for (const m of members) {
    const top = normalizeMember(m.name).split('/')[0] ?? ''
    if (kind !== 'rootfs') {
      // A `rootfs` that is a symlink (say to /) would send the unpack, and the container, onto the host.
      const want = layoutTypes[normalizeMember(m.name)]
      if (want !== undefined && m.type !== want)
        throw badRequest(`Image member "${m.name}" has the wrong type`)
      if (kind === 'metadata' && top === 'rootfs')
        throw badRequest(`Image metadata member "${m.name}" is inside rootfs/`)
    }
    const reason = unsafeMemberReason(m.name)
    if (reason) throw badRequest(reason)
    if (m.type === 'h' && m.link !== undefined) {
      const linkReason = unsafeMemberReason(m.link)
      if (linkReason) throw badRequest(`${linkReason} as a hard link target`)
    }
    const norm = normalizeMember(m.name)
    const parts = norm.split('/')
    for (let i = 1; i < parts.length; i++) {
      if (symlinks.has(parts.slice(0, i).join('/')))
        throw badRequest(`Image member "${m.name}" is below a symbolic link`)
    }
    if (m.type === 'l') symlinks.add(norm)
  }
}

/** Pairs `tar -tf` names with the type letters (and hard link targets) of `tar -tvf` lines. */
export function parseListing(names: string, verbose: string): TarMember[] {
  const nameLines = names.split('\n').filter((l) => l !== '')
  const longLines = verbose.split('\n').filter((l) => l !== '')
  if (nameLines.length !== longLines.length) throw badRequest('Unable to list the image archive members')
  return nameLines.map((name, i) => {
    const line = longLines[i]!
    const type = line[0] === '-' ? '-' : line[0]!
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
