/** @module /1.0/storage-pools endpoints. */
import { storagePools as pools } from '../storage/index.js'
import { isAdmin, visibleUsedBy } from './access.js'
import { asObject, requiredString, stringField, stringMapField } from './body.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { checkEtag, etagOf } from './etag.js'
import { recursionLevel } from './query.js'
import { created, empty, sync } from './response.js'

const load = (req: ApiRequest): pools.StoragePoolRecord => pools.getPool(req.state, req.params.name!)
/** A pool as the caller may see it: config and other projects' users hidden from restricted callers. */
function poolView(req: ApiRequest, p: pools.StoragePoolRecord) {
  const pool = pools.toApiPool(req.state, p)
  if (isAdmin(req.identity)) return pool
  return { ...pool, config: {}, used_by: visibleUsedBy(req.identity, pool.used_by) }
}

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
      access: 'authenticated',
      handler: (req) => {
        const list = pools.listPools(req.state)
        if (recursionLevel(req) > 0) return sync(list.map((p) => poolView(req, p)))
        return sync(list.map((p) => `/1.0/storage-pools/${p.name}`))
      },
    },
    post: {
      access: 'admin',
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
      access: 'authenticated',
      handler: (req) => {
        const p = load(req)
        return sync(poolView(req, p), { etag: etagOf(pools.poolEtagSource(p)) })
      },
    },
    put: {
      access: 'admin',
      handler: async (req) => {
        const p = load(req)
        checkEtag(req.headers, pools.poolEtagSource(p))
        await pools.updatePool(req.state, p, await readContent(req), writeOpts(req))
        return empty()
      },
    },
    patch: {
      access: 'admin',
      handler: async (req) => {
        const p = load(req)
        checkEtag(req.headers, pools.poolEtagSource(p))
        const merged = pools.mergePool(p, await readContent(req))
        await pools.updatePool(req.state, p, merged, writeOpts(req))
        return empty()
      },
    },
    delete: {
      access: 'admin',
      handler: async (req) => {
        await pools.deletePool(req.state, load(req), writeOpts(req))
        return empty()
      },
    },
  }),
  endpoint('/1.0/storage-pools/{name}/resources', {
    get: {
      access: 'authenticated',
      handler: async (req) => sync(await pools.poolResources(req.state, load(req))),
    },
  }),
]
