/** @module /1.0/networks endpoints: managed bridges (and host interfaces, listed unmanaged). */
import { notFound } from '@corral/api'
import * as db from '../db/networks.js'
import * as networks from '../network/service.js'
import { can } from './access.js'
import { asObject, requiredString, stringField, stringMapField } from './body.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { checkEtag, etagOf } from './etag.js'
import { recursionLevel } from './query.js'
import { created, empty, sync } from './response.js'

const load = (req: ApiRequest): db.NetworkRecord => db.getNetwork(req.state.db, req.params.name!)

/** A network by name: managed from the database, else a host interface. */
async function show(req: ApiRequest) {
  const managed = db.findNetwork(req.state.db, req.params.name!)
  if (managed)
    return sync(networks.toApiNetwork(req.state, managed), {
      etag: etagOf(networks.networkEtagSource(managed)),
    })
  const host = (await networks.unmanagedNetworks(req.state)).find((n) => n.name === req.params.name)
  if (!host) throw notFound('Network not found')
  return sync(host)
}

async function readContent(req: ApiRequest, base?: db.NetworkRecord): Promise<networks.NetworkContent> {
  const body = asObject(await req.json())
  const config = stringMapField(body, 'config')
  if (!base) return { description: stringField(body, 'description'), config }
  return {
    description: typeof body.description === 'string' ? body.description : base.description,
    config: { ...base.config, ...config },
  }
}

/** The network endpoints (LXD 5.0 gates them with the project's network permission). */
export const networkEndpoints = [
  endpoint('/1.0/networks', {
    get: {
      access: can('view'),
      handler: async (req) => {
        const managed = db.listNetworks(req.state.db).map((n) => networks.toApiNetwork(req.state, n))
        const all = [...managed, ...(await networks.unmanagedNetworks(req.state))].sort((a, b) =>
          a.name.localeCompare(b.name),
        )
        if (recursionLevel(req) > 0) return sync(all)
        return sync(all.map((n) => `/1.0/networks/${n.name}`))
      },
    },
    post: {
      access: can('manage-networks'),
      handler: async (req) => {
        const body = asObject(await req.json())
        const name = requiredString(body, 'name', 'No name provided')
        await networks.createNetwork(
          req.state,
          {
            name,
            type: stringField(body, 'type'),
            description: stringField(body, 'description'),
            config: stringMapField(body, 'config'),
          },
          req.requestor(),
        )
        return created(`/1.0/networks/${name}`)
      },
    },
  }),
  endpoint('/1.0/networks/{name}', {
    get: { access: can('view'), handler: show },
    put: {
      access: can('manage-networks'),
      handler: async (req) => {
        const n = load(req)
        checkEtag(req.headers, networks.networkEtagSource(n))
        await networks.updateNetwork(req.state, n, await readContent(req), req.requestor())
        return empty()
      },
    },
    patch: {
      access: can('manage-networks'),
      handler: async (req) => {
        const n = load(req)
        checkEtag(req.headers, networks.networkEtagSource(n))
        await networks.updateNetwork(req.state, n, await readContent(req, n), req.requestor())
        return empty()
      },
    },
    post: {
      access: can('manage-networks'),
      handler: async (req) => {
        const n = load(req)
        const name = requiredString(asObject(await req.json()), 'name', 'No name provided')
        await networks.renameNetwork(req.state, n, name, req.requestor())
        return created(`/1.0/networks/${name}`)
      },
    },
    delete: {
      access: can('manage-networks'),
      handler: async (req) => {
        await networks.deleteNetwork(req.state, load(req), req.requestor())
        return empty()
      },
    },
  }),
  endpoint('/1.0/networks/{name}/state', {
    get: {
      access: can('view'),
      handler: async (req) => sync(await networks.networkState(req.state, req.params.name!)),
    },
  }),
  endpoint('/1.0/networks/{name}/leases', {
    get: { access: can('view'), handler: (req) => sync(networks.networkLeases(req.state, load(req))) },
  }),
]
