/** @module Profiles: validation, storage and lifecycle events. */
import type { Profile, Requestor } from '@corral/api'
import { badRequest, wrap } from '@corral/api'
import { instanceKeys } from '../config/instance-keys.js'
import * as db from '../db/profiles.js'
import { listProjects, profileProjectName } from '../db/projects.js'
import { instancesUsingProfile } from '../db/instances.js'
import { validateDevices } from '../device/registry.js'
import { entityUrl, publishLifecycle } from '../events/lifecycle.js'
import type { State } from '../state.js'
import { isTrue } from '../config/validate.js'
import { devicesWithoutEmpty, withoutEmpty } from '../util/config-map.js'
import { validateProfileName } from '../util/names.js'
import { checkProjectPolicy } from '../instance/project-policy.js'
import { expandedOf, validateInstance } from '../instance/service.js'
import type { Expanded } from '../instance/expand.js'
import type { InstanceRecord } from '../db/instances.js'

export type { ProfileContent, ProfileRecord } from '../db/profiles.js'

/** The project whose profiles a project uses: itself, or `default` when features.profiles is off. */
export function profileProject(state: State, project: string): string {
  return profileProjectName(state.db, project)
}

/** The projects whose instances may use the profile: its own, and those sharing the default project's profiles. */
function projectsUsing(state: State, p: db.ProfileRecord): string[] {
  return listProjects(state.db)
    .filter(
      (proj) =>
        proj.name === p.project || (p.project === 'default' && !isTrue(proj.config['features.profiles'])),
    )
    .map((proj) => proj.name)
}

/** The instances (URLs) whose profile list names this profile, in its project and those sharing its profiles. */
export function profileUsedBy(state: State, p: db.ProfileRecord): string[] {
  return projectsUsing(state, p).flatMap((project) =>
    instancesUsingProfile(state.db, project, p.name).map((i) =>
      entityUrl(`/1.0/instances/${i.name}`, project),
    ),
  )
}

/** The wire form of a stored profile. */
export function toApiProfile(state: State, p: db.ProfileRecord): Profile {
  return {
    name: p.name,
    description: p.description,
    config: p.config,
    devices: p.devices,
    used_by: profileUsedBy(state, p),
  }
}

/** The writable part of a profile, whose hash is its ETag. */
export function profileEtagSource(p: db.ProfileRecord): unknown {
  return [p.name, p.description, p.config, p.devices]
}

/** Lists profiles of a project. */
export function listProfiles(state: State, project: string): db.ProfileRecord[] {
  return db.listProfiles(state.db, profileProject(state, project))
}

/** Gets one profile. */
export function getProfile(state: State, project: string, name: string): db.ProfileRecord {
  return db.getProfile(state.db, profileProject(state, project), name)
}

/** Drops unset (empty) keys and validates config and devices. */
function normalise(content: db.ProfileContent): db.ProfileContent {
  const clean = {
    ...content,
    config: withoutEmpty(content.config),
    devices: devicesWithoutEmpty(content.devices),
  }
  instanceKeys.validate(clean.config)
  validateDevices(clean.devices)
  return clean
}

/** Options shared by the write operations. */
interface WriteOptions {
  project: string
  requestor: Requestor
}

/** Creates a profile after validating its name, config and devices. */
export function createProfile(
  state: State,
  name: string,
  content: db.ProfileContent,
  opts: WriteOptions,
): void {
  validateProfileName(name)
  const clean = normalise(content)
  const project = profileProject(state, opts.project)
  state.db.transaction(() => {
    db.createProfile(state.db, project, name, clean)
    checkProjectPolicy(state, project)
  })()
  publishLifecycle(state.events, 'profile-created', entityUrl(`/1.0/profiles/${name}`, project), {
    ...opts,
    project,
  })
}

/** An instance using a profile, with its expanded config and devices from before a change. */
export interface ProfileUser {
  inst: InstanceRecord
  before: Expanded
}

/**
 * Replaces a profile's content (PUT, or PATCH after merging). Returns the instances using it
 * with their expansion from before, so the caller can apply the change to those running.
 */
export function updateProfile(
  state: State,
  current: db.ProfileRecord,
  content: db.ProfileContent,
  opts: WriteOptions,
): ProfileUser[] {
  const users = projectsUsing(state, current).flatMap((project) =>
    instancesUsingProfile(state.db, project, current.name).map((inst) => ({
      inst,
      before: expandedOf(state, inst),
    })),
  )
  const clean = normalise(content)
  // Written, then every instance that uses it validated as it would now expand; any refusal rolls it back.
  state.db.transaction(() => {
    db.updateProfile(state.db, current.id, clean)
    checkProfileUsers(state, current)
  })()
  publishLifecycle(
    state.events,
    'profile-updated',
    entityUrl(`/1.0/profiles/${current.name}`, current.project),
    {
      ...opts,
      project: current.project,
    },
  )
  return users
}

/** Validates each instance using the profile (in every project that uses it) and the projects' policies, as stored now. */
function checkProfileUsers(state: State, profile: db.ProfileRecord): void {
  const projects = projectsUsing(state, profile)
  for (const project of projects) {
    // The project's rules first: they say why most clearly.
    checkProjectPolicy(state, project)
    for (const inst of instancesUsingProfile(state.db, project, profile.name)) {
      try {
        validateInstance(state, inst)
      } catch (err) {
        throw wrap(
          err,
          `Failed checking if profile update allowed: instance "${inst.name}" of project "${project}"`,
        )
      }
    }
  }
}

/** Merges a PATCH body into a profile's content: config and devices by key, description if given. */
export function mergeProfile(
  current: db.ProfileRecord,
  patch: Partial<db.ProfileContent>,
): db.ProfileContent {
  return {
    description: patch.description || current.description,
    config: { ...current.config, ...patch.config },
    devices: { ...current.devices, ...patch.devices },
  }
}

/** Renames a profile, also in the lists of the instances using it (LXD links them by id); `default` keeps its name. */
export function renameProfile(
  state: State,
  current: db.ProfileRecord,
  newName: string,
  opts: WriteOptions,
): void {
  if (current.name === 'default') throw badRequest('The "default" profile cannot be renamed')
  validateProfileName(newName)
  db.renameProfile(state.db, current.id, newName, projectsUsing(state, current))
  publishLifecycle(state.events, 'profile-renamed', entityUrl(`/1.0/profiles/${newName}`, current.project), {
    ...opts,
    project: current.project,
    context: { old_name: current.name },
  })
}

/** Deletes a profile; the default profile and profiles in use stay. */
export function deleteProfile(state: State, current: db.ProfileRecord, opts: WriteOptions): void {
  if (current.name === 'default') throw badRequest('The "default" profile cannot be deleted')
  if (profileUsedBy(state, current).length > 0) throw badRequest('Profile is currently in use')
  db.deleteProfile(state.db, current.id)
  publishLifecycle(
    state.events,
    'profile-deleted',
    entityUrl(`/1.0/profiles/${current.name}`, current.project),
    {
      ...opts,
      project: current.project,
    },
  )
}
