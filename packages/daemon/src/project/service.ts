/** @module Projects: validation, storage and lifecycle events. */
import type { Project, Requestor } from '@corral/api'
import { badRequest, wrap } from '@corral/api'
import * as db from '../db/projects.js'
import { listProfiles } from '../db/profiles.js'
import { listInstances } from '../db/instances.js'
import { listAllVolumes } from '../db/storage-volumes.js'
import { entityUrl, publishLifecycle } from '../events/lifecycle.js'
import type { State } from '../state.js'
import { isTrue } from '../config/validate.js'
import { withoutEmpty } from '../util/config-map.js'
import { validateProjectName } from '../util/names.js'
import { checkProjectPolicy } from '../instance/project-policy.js'
import { projectKeys } from './keys.js'

export type { ProjectRecord } from '../db/projects.js'

/** Feature keys a new project gets when the request does not set them, as LXD does. */
const defaultFeatures = {
  'features.images': 'true',
  'features.profiles': 'true',
  'features.storage.volumes': 'true',
}

/** What refers to a project: its instances, custom volumes and own profiles. */
export function projectUsedBy(state: State, p: db.ProjectRecord): string[] {
  const instances = [
    ...listInstances(state.db, p.name).map((i) => entityUrl(`/1.0/instances/${i.name}`, p.name)),
    ...listAllVolumes(state.db)
      .filter((v) => v.project === p.name)
      .map((v) => entityUrl(`/1.0/storage-pools/${v.pool}/volumes/custom/${v.name}`, p.name)),
  ]
  if (p.name !== 'default' && !isTrue(p.config['features.profiles'])) return instances
  return [
    ...instances,
    ...listProfiles(state.db, p.name).map((prof) => entityUrl(`/1.0/profiles/${prof.name}`, p.name)),
  ]
}

/** The wire form of a stored project. */
export function toApiProject(state: State, p: db.ProjectRecord): Project {
  return { name: p.name, description: p.description, config: p.config, used_by: projectUsedBy(state, p) }
}

/** The writable part of a project, whose hash is its ETag. */
export function projectEtagSource(p: db.ProjectRecord): unknown {
  return [p.name, p.description, p.config]
}

/** Creates a project (with its own default profile when it has its own profiles). */
export function createProject(
  state: State,
  p: { name: string; description: string; config: Record<string, string> },
  requestor: Requestor,
): void {
  validateProjectName(p.name)
  const given = withoutEmpty(p.config)
  projectKeys.validate(given)
  // LXD sets each default feature the request leaves out (cluster.ProjectFeatures).
  const config = { ...defaultFeatures, ...given }
  checkRestrictable(config)
  db.createProject(state.db, { ...p, config }, isTrue(config['features.profiles']))
  publishLifecycle(state.events, 'project-created', `/1.0/projects/${p.name}`, { requestor, project: p.name })
}

/** Replaces a project's description and config; features can change only while it is empty. */
export function updateProject(
  state: State,
  current: db.ProjectRecord,
  next: { description: string; config: Record<string, string> },
  requestor: Requestor,
): void {
  next = { ...next, config: withoutEmpty(next.config) }
  projectKeys.validate(next.config)
  if (current.name === 'default') {
    for (const k of Object.keys(defaultFeatures)) {
      if (projectKeys.get(next.config, k) !== projectKeys.get(current.config, k)) {
        throw badRequest(`You can't change the features of the default project`)
      }
    }
  }
  checkRestrictable(next.config)
  // Written, then everything in the project checked against it; a violation rolls it back.
  state.db.transaction(() => {
    db.updateProject(state.db, current.name, next)
    try {
      checkProjectPolicy(state, current.name)
    } catch (err) {
      const changed = Object.keys({ ...current.config, ...next.config })
        .filter((k) => current.config[k] !== next.config[k])
        .sort()
      throw wrap(
        err,
        `Conflict detected when changing ${changed.map((k) => `"${k}"`).join(', ')} in project "${current.name}"`,
      )
    }
  })()
  publishLifecycle(state.events, 'project-updated', `/1.0/projects/${current.name}`, {
    requestor,
    project: current.name,
  })
}

/** LXD's rule: a restricted project has its own profiles (else the admin's would be checked as its own). */
function checkRestrictable(config: Record<string, string>): void {
  if (isTrue(config.restricted) && !isTrue(config['features.profiles']))
    throw badRequest('Projects without their own profiles cannot be restricted')
}

/** Renames a project; the default project keeps its name and only empty projects move. */
export function renameProject(
  state: State,
  current: db.ProjectRecord,
  newName: string,
  requestor: Requestor,
): void {
  if (current.name === 'default') throw badRequest("The 'default' project cannot be renamed")
  validateProjectName(newName)
  requireEmpty(state, current, 'renamed')
  db.renameProject(state.db, current.name, newName)
  publishLifecycle(state.events, 'project-renamed', `/1.0/projects/${newName}`, {
    requestor,
    project: newName,
    context: { old_name: current.name },
  })
}

/** Deletes an empty project (its default profile goes with it). */
export function deleteProject(state: State, current: db.ProjectRecord, requestor: Requestor): void {
  if (current.name === 'default') throw badRequest("The 'default' project cannot be deleted")
  requireEmpty(state, current, 'removed')
  db.deleteProject(state.db, current.name)
  publishLifecycle(state.events, 'project-deleted', `/1.0/projects/${current.name}`, {
    requestor,
    project: current.name,
  })
}

function requireEmpty(state: State, p: db.ProjectRecord, verb: string): void {
  const others = projectUsedBy(state, p).filter((u) => !u.startsWith('/1.0/profiles/default?'))
  if (others.length > 0) throw badRequest(`Only empty projects can be ${verb}`)
}
