/** @module /1.0/profiles: list, get, create, replace, patch, rename, delete. */
import type { Profile, ProfilePut, ProfilesPost } from '@corral/api'
import { collection } from './collection.js'
import type { Requester } from './requester.js'

/** Profile endpoints bound to one requester (and so one project). */
export interface ProfilesApi {
  /** GET /1.0/profiles?recursion=1. */
  list(): Promise<Profile[]>
  /** GET /1.0/profiles/{name}, with its ETag. */
  get(name: string): Promise<{ profile: Profile; etag?: string }>
  /** POST /1.0/profiles. */
  create(body: ProfilesPost): Promise<void>
  /** PUT /1.0/profiles/{name} (If-Match when an ETag is given). */
  put(name: string, body: ProfilePut, etag?: string): Promise<void>
  /** PATCH /1.0/profiles/{name}. */
  patch(name: string, body: Partial<ProfilePut>, etag?: string): Promise<void>
  /** POST /1.0/profiles/{name} with the new name. */
  rename(name: string, newName: string): Promise<void>
  /** DELETE /1.0/profiles/{name}. */
  delete(name: string): Promise<void>
}

/** Builds the profile endpoints. */
export function profilesApi(r: Requester): ProfilesApi {
  const common = collection<Profile, ProfilePut, ProfilesPost>(r, 'profiles')
  return {
    ...common,
    async get(name) {
      const { metadata, etag } = await common.fetch(name)
      return { profile: metadata, etag }
    },
  }
}
