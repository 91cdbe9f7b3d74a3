/** @module Profile wire types (shared/api/profile.go). */

/** Device map: device name → its string config. */
export type Devices = Record<string, Record<string, string>>

/** Body of PUT/PATCH /1.0/profiles/{name}. */
export interface ProfilePut {
  config: Record<string, string>
  description: string
  devices: Devices
}

/** Body of POST /1.0/profiles. */
export interface ProfilesPost extends ProfilePut {
  name: string
}

/** Body of POST /1.0/profiles/{name} (rename). */
export interface ProfilePost {
  name: string
}

/** A profile as GET returns it. */
export interface Profile extends ProfilePut {
  name: string
  used_by: string[]
}
