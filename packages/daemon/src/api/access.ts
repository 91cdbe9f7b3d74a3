/** @module Access policy: who may call an action, and what a restricted certificate may see. */
import { forbidden } from '@corral/api'
import type { State } from '../state.js'

/** Who is calling. */
export interface Identity {
  trusted: boolean
  /** How the caller reached us: `unix` (socket) or `tls`. */
  protocol: 'unix' | 'tls'
  username: string
  address: string
  uid?: number
  /** The client certificate (PEM) of a TLS peer. */
  certificate?: string
  /** The trusted certificate's fingerprint (TLS callers only). */
  fingerprint?: string
  /** Present for a restricted certificate: the projects it may use. */
  restriction?: { projects: readonly string[] }
}

/**
 * What a restricted certificate holds in each of its projects (LXD 5.0's list: everything a
 * project offers, nothing server-wide).
 */
export type Permission =
  | 'view'
  | 'manage-containers'
  | 'operate-containers'
  | 'manage-images'
  | 'manage-profiles'
  | 'manage-storage-volumes'
  | 'manage-networks'

/** A project-scoped check against the request's `?project=`. */
export interface ProjectAccess {
  can: Permission
  /**
   * The project that owns what the action changes when it is not the request's own (images of
   * a project without `features.images` are the default project's): the check is made there.
   */
  owner?: (state: State, project: string) => string
}

/**
 * Who may call an action:
 * - `untrusted`: anyone; the handler narrows what an untrusted caller sees;
 * - `authenticated`: any trusted caller; the handler filters for restricted certificates;
 * - `admin`: trusted and unrestricted (LXD's default for actions without an access handler);
 * - `localOnly`: the unix socket only;
 * - `can(permission)`: trusted, and a restricted certificate only in its own projects.
 */
export type Access = 'untrusted' | 'authenticated' | 'admin' | 'localOnly' | ProjectAccess

/** Declares a project-scoped access check, made in `owner`'s project when given. */
export function can(permission: Permission, owner?: ProjectAccess['owner']): ProjectAccess {
  return owner ? { can: permission, owner } : { can: permission }
}

/** True for callers with no restriction: unix-socket users and unrestricted certificates. */
export function isAdmin(identity: Identity): boolean {
  return identity.trusted && identity.restriction === undefined
}

/** True when the caller may act in `project` (every permission comes with the project). */
export function inProject(identity: Identity, project: string): boolean {
  if (!identity.trusted) return false
  return identity.restriction === undefined || identity.restriction.projects.includes(project)
}

/** Throws LXD's 403 unless `identity` may call an action declared with `access` in `project`. */
export function checkAccess(access: Access, identity: Identity, project: string): void {
  if (access === 'untrusted') return
  if (!identity.trusted) throw forbidden()
  if (access === 'authenticated') return
  if (access === 'localOnly') {
    if (identity.protocol !== 'unix') throw forbidden()
    return
  }
  if (access === 'admin') {
    if (!isAdmin(identity)) throw forbidden()
    return
  }
  if (!inProject(identity, project)) throw forbidden()
}

/** Keeps the `used_by` URLs in projects the caller may see (their `?project=`, default when absent). */
export function visibleUsedBy(identity: Identity, urls: readonly string[]): string[] {
  if (isAdmin(identity)) return [...urls]
  return urls.filter((url) => {
    const project = new URL(url, 'http://corral').searchParams.get('project') || 'default'
    return inProject(identity, project)
  })
}
