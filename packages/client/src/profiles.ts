/** @module /1.0/profiles: list, get, create, replace, patch, rename, delete. */
import type { Profile, ProfilePut, ProfilesPost } from '@corral/api'
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

const path = (name: string): string => `/1.0/profiles/${encodeURIComponent(name)}`

/** Builds the profile endpoints. */
export function profilesApi(r: Requester): ProfilesApi {
  return {
    async list() {
      return (await r.call<Profile[]>('GET', '/1.0/profiles?recursion=1')).metadata ?? []
    },
    async get(name) {
      const { metadata, etag } = await r.call<Profile>('GET', path(name))
      return { profile: metadata, etag }
    },
    async create(body) {
      await r.call('POST', '/1.0/profiles', body)
    },
    async put(name, body, etag) {
      await r.call('PUT', path(name), body, { etag })
    },
    async patch(name, body, etag) {
      await r.call('PATCH', path(name), body, { etag })
    },
    async rename(name, newName) {
      await r.call('POST', path(name), { name: newName })
    },
    async delete(name) {
      await r.call('DELETE', path(name))
    },
  }
}
