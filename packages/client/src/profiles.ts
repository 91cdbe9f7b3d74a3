/** @module /1.0/profiles: list, get, create, replace, patch, rename, delete. */
import type { Profile, ProfilePut, ProfilesPost } from '@corral/api'
import { namedCollection, type NamedCollection } from './collection.js'
import type { Requester } from './requester.js'

/** Profile endpoints bound to one requester (and so one project). */
export type ProfilesApi = NamedCollection<Profile, ProfilePut, ProfilesPost, 'profile'>

/** Builds the profile endpoints. */
export function profilesApi(r: Requester): ProfilesApi {
  return namedCollection<Profile, ProfilePut, ProfilesPost, 'profile'>(r, 'profiles', 'profile')
}
