/** @module System tier: a directory tree's content and metadata as a comparable string (copies, backups, images). */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { run } from './corrald.js'

/** Every file's sha256 and every entry's type, mode, owner and link target under `root`, minus lines naming `skipPaths`. */
export function treeDigest(root: string, skipPaths: string[] = []): string {
  const sums = run('sh', [
    '-c',
    'cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum',
    'sh',
    root,
  ])
  const meta = run('sh', ['-c', 'cd "$1" && find . -printf "%p %y %m %U %G %l\\n" | sort', 'sh', root])
  assert.equal(sums.status, 0, sums.stderr)
  const keep = (l: string) => !skipPaths.some((p) => l.includes(` ./${p}`) || l.startsWith(`./${p} `))
  return `${sums.stdout.split('\n').filter(keep).join('\n')}\n${meta.stdout.split('\n').filter(keep).join('\n')}`
}

/** The digest of an instance volume's rootfs. */
export const volumeDigest = (volume: string): string => treeDigest(join(volume, 'rootfs'))
