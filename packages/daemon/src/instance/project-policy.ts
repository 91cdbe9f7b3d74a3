/** @module A project's restrictions and limits, checked over what its instances and profiles would be after a change. */
import * as db from '../db/instances.js'
import { listNetworks } from '../db/networks.js'
import { listProfiles } from '../db/profiles.js'
import { getProject, profileProjectName } from '../db/projects.js'
import { listAllVolumes } from '../db/storage-volumes.js'
import { resolveHostPath } from '../host/paths.js'
import {
  checkLimits,
  checkRestrictions,
  isRestricted,
  type LimitedVolume,
  type ProjectView,
  type RestrictedEntity,
  type RestrictionContext,
} from '../project/restrictions.js'
import type { State } from '../state.js'
import { expandedOf } from './expanded.js'

/** An instance's content as the check takes it. */
export type InstanceContent = Pick<db.InstanceRecord, 'profiles' | 'config' | 'devices'>

/** What is about to change: an instance's new content (`null`: it goes away). */
export interface PolicyChange {
  name: string
  content: InstanceContent | null
}

/** What the checks read from the host. */
export function restrictionContext(state: State): RestrictionContext {
  return {
    managedNetworks: new Set(listNetworks(state.db).map((n) => n.name)),
    resolvePath: resolveHostPath,
  }
}

function hasLimits(project: ProjectView): boolean {
  return Object.entries(project.config).some(([k, v]) => k.startsWith('limits.') && v !== '')
}

/**
 * Throws 403 when, after `change`, an instance of the project (expanded with its profiles as
 * stored now) or one of the project's own profiles breaks a restriction, or the instances (and
 * the custom volumes, after `volumeChange`) go over a limit. `project` may carry config not
 * stored yet (a project update being checked).
 */
export function checkProjectPolicy(
  state: State,
  project: ProjectView | string,
  change?: PolicyChange,
  volumeChange?: LimitedVolume & { pool: string },
): void {
  const view = typeof project === 'string' ? getProject(state.db, project) : project
  if (!isRestricted(view) && !hasLimits(view)) return
  const contents = new Map<string, InstanceContent>(
    db.listInstances(state.db, view.name).map((i) => [i.name, i]),
  )
  if (change?.content === null) contents.delete(change.name)
  else if (change) contents.set(change.name, change.content)
  const instances: RestrictedEntity[] = [...contents].map(([name, content]) => ({
    kind: 'container',
    name,
    ...expandedOf(state, { project: view.name, ...content }),
  }))
  // Profiles shared from the default project are the admin's: they count through the instances.
  const ownProfiles =
    profileProjectName(state.db, view.name) === view.name
      ? listProfiles(state.db, view.name).map((p): RestrictedEntity => ({
          kind: 'profile',
          name: p.name,
          config: p.config,
          devices: p.devices,
        }))
      : []
  checkRestrictions(view, [...instances, ...ownProfiles], restrictionContext(state))
  const volumes = new Map<string, LimitedVolume>(
    listAllVolumes(state.db)
      .filter((v) => v.project === view.name)
      .map((v) => [`${v.pool}/${v.name}`, v]),
  )
  if (volumeChange) volumes.set(`${volumeChange.pool}/${volumeChange.name}`, volumeChange)
  checkLimits(view, instances, [...volumes.values()])
}
