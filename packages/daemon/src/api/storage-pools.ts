/** @module /1.0/storage-pools endpoints. */
import { storagePools as pools } from '../storage/index.js'
import { asObject, requiredString, stringField, stringMapField } from './body.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { checkEtag, etagOf } from './etag.js'
import { recursionLevel } from './query.js'
import { created, empty, sync } from './response.js'

const load = (req: ApiRequest): pools.StoragePoolRecord => pools.getPool(req.state, req.params.name!)
const writeOpts = (req: ApiRequest) => ({ requestor: req.requestor() })

async function readContent(req: ApiRequest): Promise<pools.StoragePoolContent & { hasDescription: boolean }> {
  const body = asObject(await req.json())
  return {
    description: stringField(body, 'description'),
    hasDescription: typeof body.description === 'string',
    config: stringMapField(body, 'config'),
  }
}

/** The storage pool endpoints. */
export const storagePoolEndpoints = [
  endpoint('/1.0/storage-pools', {
    get: {
      access: 'trusted',
      handler: (req) => {
        const list = pools.listPools(req.state)
        if (recursionLevel(req) > 0) return sync(list.map((p) => pools.toApiPool(req.state, p)))
        return sync(list.map((p) => `/1.0/storage-pools/${p.name}`))
      },
    },
    post: {
      access: 'trusted',
      handler: async (req) => {
        const body = asObject(await req.json())
        const name = requiredString(body, 'name', 'No name provided')
        const driver = requiredString(body, 'driver', 'No driver provided')
        const content = {
          description: stringField(body, 'description'),
          config: stringMapField(body, 'config'),
        }
        await pools.createPool(req.state, { name, driver, ...content }, writeOpts(req))
        return created(`/1.0/storage-pools/${name}`)
      },
    },
  }),
  endpoint('/1.0/storage-pools/{name}', {
    get: {
      access: 'trusted',
      handler: (req) => {
        const p = load(req)
        return sync(pools.toApiPool(req.state, p), { etag: etagOf(pools.poolEtagSource(p)) })
      },
    },
    put: {
      access: 'trusted',
      handler: async (req) => {
        const p = load(req)
        checkEtag(req.headers, pools.poolEtagSource(p))
        await pools.updatePool(req.state, p, await readContent(req), writeOpts(req))
        return empty()
      },
    },
    patch: {
      access: 'trusted',
      handler: async (req) => {
        const p = load(req)
        checkEtag(req.headers, pools.poolEtagSource(p))
        const merged = pools.mergePool(p, await readContent(req))
        await pools.updatePool(req.state, p, merged, writeOpts(req))
        return empty()
      },
    },
    delete: {
      access: 'trusted',
      handler: async (req) => {
        await pools.deletePool(req.state, load(req), writeOpts(req))
        return empty()
      },
    },
  }),
  endpoint('/1.0/storage-pools/{name}/resources', {
    get: {
      access: 'trusted',
      handler: async (req) => sync(await pools.poolResources(req.state, load(req))),
    },
  }),
]
