/** @module Who may run privileged: the daemon's --unprivileged-only, and restricted projects. */
import { badRequest } from '@corral/api'
import { isTrue } from '../config/validate.js'
import { getProject } from '../db/projects.js'
import type { State } from '../state.js'

/** What a restricted project allows: `unprivileged` (the default when restricted), `isolated` or `allow`. */
export function projectPrivilege(state: State, project: string): 'unprivileged' | 'isolated' | 'allow' {
  const config = getProject(state.db, project).config
  if (!isTrue(config.restricted)) return 'allow'
  const mode = config['restricted.containers.privilege'] || 'unprivileged'
  return mode === 'isolated' || mode === 'allow' ? mode : 'unprivileged'
}

/** `raw.lxc` lines that could undo the user namespace (refused under --unprivileged-only, as LXD does). */
const unsafeRawLxc = /^\s*lxc\.(idmap|id_map|include)\s*=/m

/**
 * Refuses what the daemon's and the project's policy forbid, from the expanded config: a
 * privileged container, and (under --unprivileged-only) `raw.idmap` and idmap/include lines
 * in `raw.lxc`; in a project restricted to isolated containers, an explicit non-isolated map.
 */
export function checkPrivilege(state: State, project: string, config: Record<string, string>): void {
  const privileged = isTrue(config['security.privileged'])
  if (state.unprivilegedOnly) {
    if (privileged)
      throw badRequest('Privileged containers are forbidden on this server (corrald --unprivileged-only)')
    if (config['raw.idmap'])
      throw badRequest('raw.idmap is forbidden on this server (corrald --unprivileged-only)')
    if (unsafeRawLxc.test(config['raw.lxc'] ?? ''))
      throw badRequest(
        'lxc.idmap and lxc.include in raw.lxc are forbidden on this server (corrald --unprivileged-only)',
      )
  }
  const mode = projectPrivilege(state, project)
  if (mode === 'allow') return
  if (privileged) throw badRequest(`Privileged containers are forbidden in project "${project}"`)
  if (
    mode === 'isolated' &&
    config['security.idmap.isolated'] !== undefined &&
    !isTrue(config['security.idmap.isolated'])
  )
    throw badRequest(
      `Project "${project}" requires isolated idmaps (security.idmap.isolated cannot be false)`,
    )
}
