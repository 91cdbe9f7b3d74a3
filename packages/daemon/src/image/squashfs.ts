/** @module Squashfs rootfs halves of split images (LXD's `.squashfs`): listing and unpacking with squashfs-tools. */
import { badRequest } from '@corral/api'
import type { State } from '../state.js'
import type { TarMember } from './tar.js'

/**
 * Parses `unsquashfs -lln -d ''` output (`crw-r--r-- 0/0  1,  3 2024-01-01 00:00 /dev/null`)
 * into members; a line that does not parse refuses the whole image rather than skip a member.
 */
export function parseSquashfsListing(text: string): TarMember[] {
  const out: TarMember[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    const m =
      /^([-dlcbps])[-rwxsStT]{9} \d+\/\d+ +(?:(\d+), *(\d+)|\d+) \d{4}-\d\d-\d\d \d\d:\d\d (.*)$/.exec(line)
    if (!m) throw badRequest('Invalid image archive: unreadable squashfs listing')
    const type = m[1]!
    let name = m[4]!
    if (type === 'l') {
      const at = name.indexOf(' -> ')
      if (at < 0) throw badRequest('Invalid image archive: unreadable squashfs listing')
      name = name.slice(0, at)
    }
    // A squashfs root is the empty name; tar's view of it is `./`.
    out.push(
      type === 'c' || type === 'b'
        ? { name: `.${name}`, type, device: `${m[2]},${m[3]}` }
        : { name: `.${name}`, type },
    )
  }
  return out
}

/** Lists a squashfs file's inodes as members; 400 when it is not a readable squashfs. */
export async function listSquashfs(state: State, file: string): Promise<TarMember[]> {
  let text: string
  try {
    text = (await state.host.run('unsquashfs', ['-lln', '-d', '', file], { timeoutMs: 600_000 })).stdout
  } catch (err) {
    const detail = err instanceof Error ? err.message.split(': ').slice(1).join(': ') : String(err)
    throw badRequest(`Invalid image archive: ${detail.split('\n')[0] || 'not a squashfs file'}`)
  }
  return parseSquashfsListing(text)
}

/** Unpacks a squashfs into an existing directory: owners, modes and xattrs kept, as LXD's unsquashfs does. */
export async function unpackSquashfs(state: State, file: string, target: string): Promise<void> {
  await state.host.run('unsquashfs', ['-f', '-n', '-d', target, file], { timeoutMs: 30 * 60_000 })
}
