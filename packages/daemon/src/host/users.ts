/** @module User and group names from /etc/passwd and /etc/group. */
import { readFileSync } from 'node:fs'

function lookup(file: string, match: (fields: string[]) => boolean): string[] | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':')
    if (fields.length >= 3 && match(fields)) return fields
  }
  return undefined
}

/** The user name of a uid, or the uid as text when it has none. */
export function userName(uid: number): string {
  return lookup('/etc/passwd', (f) => f[2] === String(uid))?.[0] ?? String(uid)
}

/** The gid of a group name, or undefined when no such group exists. */
export function groupId(name: string): number | undefined {
  const gid = lookup('/etc/group', (f) => f[0] === name)?.[2]
  return gid === undefined ? undefined : Number(gid)
}
