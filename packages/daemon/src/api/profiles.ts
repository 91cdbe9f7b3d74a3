/** @module /1.0/profiles endpoints. */
import { entityUrl } from '../events/lifecycle.js'
import { applyProfileChange } from '../instance/lifecycle.js'
import * as profiles from '../profile/service.js'
import { asObject, devicesField, requiredString, stringField, stringMapField } from './body.js'
import { can } from './access.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { checkEtag, etagOf } from './etag.js'
import { recursionLevel } from './query.js'
import { created, empty, sync } from './response.js'

function load(req: ApiRequest): profiles.ProfileRecord {
  return profiles.getProfile(req.state, req.project(), req.params.name!)
}

function readContent(body: Record<string, unknown>): profiles.ProfileContent {
  return {
    description: stringField(body, 'description'),
    config: stringMapField(body, 'config'),
    devices: devicesField(body),
  }
}

const writeOpts = (req: ApiRequest) => ({ project: req.project(), requestor: req.requestor() })

/** The profile endpoints. */
export const profileEndpoints = [
  endpoint('/1.0/profiles', {
    get: {
      access: can('view'),
      handler: (req) => {
        const list = profiles.listProfiles(req.state, req.project())
        if (recursionLevel(req) > 0) return sync(list.map((p) => profiles.toApiProfile(req.state, p)))
        return sync(list.map((p) => entityUrl(`/1.0/profiles/${p.name}`, p.project)))
      },
    },
    post: {
      access: can('manage-profiles'),
      handler: async (req) => {
        const body = asObject(await req.json())
        const name = requiredString(body, 'name', 'No name provided')
        profiles.createProfile(req.state, name, readContent(body), writeOpts(req))
        return created(entityUrl(`/1.0/profiles/${name}`, req.project()))
      },
    },
  }),
  endpoint('/1.0/profiles/{name}', {
    get: {
      access: can('view'),
      handler: (req) => {
        const p = load(req)
        return sync(profiles.toApiProfile(req.state, p), { etag: etagOf(profiles.profileEtagSource(p)) })
      },
    },
    put: {
      access: can('manage-profiles'),
      handler: async (req) => {
        const p = load(req)
        checkEtag(req.headers, profiles.profileEtagSource(p))
        const users = profiles.updateProfile(
          req.state,
          p,
          readContent(asObject(await req.json())),
          writeOpts(req),
        )
        await applyProfileChange(req.state, users)
        return empty()
      },
    },
    patch: {
      access: can('manage-profiles'),
      handler: async (req) => {
        const p = load(req)
        checkEtag(req.headers, profiles.profileEtagSource(p))
        const patch = readContent(asObject(await req.json()))
        const users = profiles.updateProfile(req.state, p, profiles.mergeProfile(p, patch), writeOpts(req))
        await applyProfileChange(req.state, users)
        return empty()
      },
    },
    post: {
      access: can('manage-profiles'),
      handler: async (req) => {
        const p = load(req)
        const newName = requiredString(asObject(await req.json()), 'name', 'No name provided')
        profiles.renameProfile(req.state, p, newName, writeOpts(req))
        return created(entityUrl(`/1.0/profiles/${newName}`, p.project))
      },
    },
    delete: {
      access: can('manage-profiles'),
      handler: (req) => {
        profiles.deleteProfile(req.state, load(req), writeOpts(req))
        return empty()
      },
    },
  }),
]
