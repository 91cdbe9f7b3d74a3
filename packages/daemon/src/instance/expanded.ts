/** @module An instance's effective config and devices, from its profiles as stored. */
import { notFound } from '@corral/api'
import type { InstanceRecord } from '../db/instances.js'
import { getProfile } from '../db/profiles.js'
import { profileProjectName } from '../db/projects.js'
import type { State } from '../state.js'
import { expand, type Expanded } from './expand.js'

/** Loads the named profiles of a project (404 when one is missing), in order. */
export function loadProfiles(state: State, project: string, names: string[]) {
  const from = profileProjectName(state.db, project)
  return names.map((name) => {
    try {
      return getProfile(state.db, from, name)
    } catch {
      throw notFound(`Profile "${name}" not found`)
    }
  })
}

/** The instance's effective config and devices. */
export function expandedOf(
  state: State,
  inst: Pick<InstanceRecord, 'project' | 'profiles' | 'config' | 'devices'>,
): Expanded {
  return expand(loadProfiles(state, inst.project, inst.profiles), {
    config: inst.config,
    devices: inst.devices,
  })
}

/**
 * Every instance with its effective config, for loops over the whole daemon (autostart, host
 * shutdown): one that cannot be expanded is logged and left out rather than stopping the loop.
 */
export function expandedAll(
  state: State,
  list: InstanceRecord[],
): { inst: InstanceRecord; expanded: Expanded }[] {
  return list.flatMap((inst) => {
    try {
      return [{ inst, expanded: expandedOf(state, inst) }]
    } catch (err) {
      state.log.error('Instance left out: its config cannot be expanded', {
        project: inst.project,
        instance: inst.name,
        err: String(err),
      })
      return []
    }
  })
}
