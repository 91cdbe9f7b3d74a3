/** @module /1.0/images/aliases endpoints. */
import { entityUrl } from '../events/lifecycle.js'
import * as images from '../image/index.js'
import { asObject, requiredString, stringField } from './body.js'
import { can, inProject } from './access.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { checkEtag, etagOf } from './etag.js'
import { recursionLevel } from './query.js'
import { created, empty, sync } from './response.js'

const writeOpts = (req: ApiRequest) => ({ project: req.project(), requestor: req.requestor() })

function load(req: ApiRequest): images.AliasRecord {
  // Untrusted callers resolve the default project's aliases of public images only.
  const project = req.identity.trusted ? req.project() : 'default'
  return images.getAlias(req.state, project, req.params.name!, !inProject(req.identity, project))
}

/** The image alias endpoints; mounted before /1.0/images/{fingerprint}. */
export const imageAliasEndpoints = [
  endpoint('/1.0/images/aliases', {
    get: {
      access: can('view'),
      handler: (req) => {
        const list = images.listAliases(req.state, req.project())
        if (recursionLevel(req) > 0) return sync(list.map(images.toApiAlias))
        return sync(list.map((a) => entityUrl(`/1.0/images/aliases/${a.name}`, a.project)))
      },
    },
    post: {
      access: can('manage-images', images.imageProject),
      handler: async (req) => {
        const body = asObject(await req.json())
        const name = stringField(body, 'name')
        const content = {
          description: stringField(body, 'description'),
          target: requiredString(body, 'target', 'The target field is required'),
        }
        images.createAlias(req.state, name, content, writeOpts(req))
        return created(entityUrl(`/1.0/images/aliases/${name}`, req.project()))
      },
    },
  }),
  endpoint('/1.0/images/aliases/{name}', {
    get: {
      access: 'untrusted',
      handler: (req) => {
        const a = load(req)
        return sync(images.toApiAlias(a), { etag: etagOf(images.aliasEtagSource(a)) })
      },
    },
    put: {
      access: can('manage-images', images.imageProject),
      handler: async (req) => {
        const a = load(req)
        checkEtag(req.headers, images.aliasEtagSource(a))
        const body = asObject(await req.json())
        const content = { description: stringField(body, 'description'), target: stringField(body, 'target') }
        images.updateAlias(req.state, a, content, writeOpts(req))
        return empty()
      },
    },
    patch: {
      access: can('manage-images', images.imageProject),
      handler: async (req) => {
        const a = load(req)
        checkEtag(req.headers, images.aliasEtagSource(a))
        const body = asObject(await req.json())
        const content = {
          description: stringField(body, 'description', a.description),
          target: stringField(body, 'target', a.target),
        }
        images.updateAlias(req.state, a, content, writeOpts(req))
        return empty()
      },
    },
    post: {
      access: can('manage-images', images.imageProject),
      handler: async (req) => {
        const a = load(req)
        const newName = requiredString(asObject(await req.json()), 'name', 'Alias name missing')
        images.renameAlias(req.state, a, newName, writeOpts(req))
        return created(entityUrl(`/1.0/images/aliases/${newName}`, a.project))
      },
    },
    delete: {
      access: can('manage-images', images.imageProject),
      handler: (req) => {
        images.deleteAlias(req.state, load(req), writeOpts(req))
        return empty()
      },
    },
  }),
]
