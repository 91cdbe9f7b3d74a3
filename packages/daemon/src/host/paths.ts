/** @module Host paths as the kernel resolves them. */
import { realpathSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/**
 * The path with every symlink resolved; for a path that does not exist (yet), its deepest
 * existing ancestor is resolved and the rest appended, so a check cannot be passed by a name
 * that appears later.
 */
export function resolveHostPath(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    const parent = dirname(path)
    if (parent === path) return path
    return join(resolveHostPath(parent), basename(path))
  }
}
