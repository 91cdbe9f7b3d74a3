/** @module Who may run privileged: the daemon's --unprivileged-only, and the privilege a restricted project allows. */
import { badRequest } from '@corral/api'
import { isRestricted, restriction } from '../project/restrictions.js'
import { isTrue } from '../config/validate.js'
import { getProject } from '../db/projects.js'
import type { State } from '../state.js'

/** What a restricted project allows: `unprivileged` (the default when restricted), `isolated` or `allow`. */
export function projectPrivilege(state: State, project: string): 'unprivileged' | 'isolated' | 'allow' {
  const view = getProject(state.db, project)
  if (!isRestricted(view)) return 'allow'
  const mode = restriction(view, 'restricted.containers.privilege')
  return mode === 'isolated' || mode === 'allow' ? mode : 'unprivileged'
}

/** True when a `raw.lxc` line could undo the user namespace (refused under --unprivileged-only, as LXD does); linear in the text. */
function hasUnsafeRawLxc(text: string): boolean {
  // Blanks within a line only: no quantifier can cross a line break, so the scan stays linear.
  return /(?:^|\n)[ \t]*lxc\.(?:idmap|id_map|include)[ \t]*=/.test(text)
}

/**
 * Refuses what `corrald --unprivileged-only` forbids, from the expanded config: a privileged
 * container, `raw.idmap`, and idmap/include lines in `raw.lxc`. (A project's own rules are
 * project/restrictions.ts.)
 */
export function checkPrivilege(state: State, config: Record<string, string>): void {
  const privileged = isTrue(config['security.privileged'])
  if (state.unprivilegedOnly) {
    if (privileged)
      throw badRequest('Privileged containers are forbidden on this server (corrald --unprivileged-only)')
    if (config['raw.idmap'])
      throw badRequest('raw.idmap is forbidden on this server (corrald --unprivileged-only)')
    if (hasUnsafeRawLxc(config['raw.lxc'] ?? ''))
      throw badRequest(
        'lxc.idmap and lxc.include in raw.lxc are forbidden on this server (corrald --unprivileged-only)',
      )
  }
}
