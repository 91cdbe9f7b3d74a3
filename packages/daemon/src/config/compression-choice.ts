/** @module Which compression an image or backup gets: the request's, else the project's key, else the server's (LXD's order). */
import { getProject } from '../db/projects.js'
import { loadServerConfig } from '../db/server-config.js'
import type { State } from '../state.js'
import { serverKeys } from './server-keys.js'

/** The algorithm for `key` (images.compression_algorithm or backups.compression_algorithm) in `project`. */
export function compressionFor(
  state: State,
  project: string,
  key: 'images.compression_algorithm' | 'backups.compression_algorithm',
  requested: string,
): string {
  return (
    requested || getProject(state.db, project).config[key] || serverKeys.get(loadServerConfig(state.db), key)
  )
}
