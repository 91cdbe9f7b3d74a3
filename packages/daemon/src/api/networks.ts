/**
 * @module /1.0/networks endpoints: managed bridges (and host interfaces, listed unmanaged).
 * Networks are the server's: only unrestricted callers change them. A restricted certificate
 * sees the managed networks its project may attach NICs to, its own instances' leases, and no
 * host interface (stricter than LXD 5.0.2, which lets it change them through ?project=).
 */
import type { NetworkLease } from '@corral/api'
import { notFound } from '@corral/api'
import * as db from '../db/networks.js'
import { getProject } from '../db/projects.js'
import * as networks from '../network/service.js'
import { networkAllowed } from '../project/restrictions.js'
import { can, isAdmin, visibleUsedBy } from './access.js'
import { asObject, requiredString, stringField, stringMapField } from './body.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { checkEtag, etagOf } from './etag.js'
import { recursionLevel } from './query.js'
import { created, empty, sync } from './response.js'

/** True when the caller may see this network: any for admins, else a managed one its project may use. */
function visible(req: ApiRequest, name: string): boolean {
  if (isAdmin(req.identity)) return true
  return (
    !!db.findNetwork(req.state.db, name) &&
    networkAllowed(getProject(req.state.db, req.project()), name, true)
  )
}

/** The named managed network the caller may see, else 404 (a hidden network looks absent). */
const load = (req: ApiRequest): db.NetworkRecord => {
  if (!visible(req, req.params.name!)) throw notFound('Network not found')
  return db.getNetwork(req.state.db, req.params.name!)
}

/** The wire form with `used_by` narrowed to what the caller may see. */
function toApi(req: ApiRequest, n: db.NetworkRecord) {
  const api = networks.toApiNetwork(req.state, n)
  return { ...api, used_by: visibleUsedBy(req.identity, api.used_by) }
}

/** Leases a restricted caller may see: the gateway's, and its own project's instances'. */
function visibleLeases(req: ApiRequest, leases: NetworkLease[]): NetworkLease[] {
  if (isAdmin(req.identity)) return leases
  const own = networks.projectMacs(req.state, req.project())
  return leases.filter((l) => l.type === 'gateway' || own.has(l.hwaddr.toLowerCase()))
}

/** A network by name: managed from the database, else a host interface. */
async function show(req: ApiRequest) {
  if (!visible(req, req.params.name!)) throw notFound('Network not found')
  const managed = db.findNetwork(req.state.db, req.params.name!)
  if (managed)
    return sync(toApi(req, managed), {
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

/** The network endpoints. */
export const networkEndpoints = [
  endpoint('/1.0/networks', {
    get: {
      access: can('view'),
      handler: async (req) => {
        const managed = db
          .listNetworks(req.state.db)
          .filter((n) => visible(req, n.name))
          .map((n) => toApi(req, n))
        const hostOnes = isAdmin(req.identity) ? await networks.unmanagedNetworks(req.state) : []
        const all = [...managed, ...hostOnes].sort((a, b) => a.name.localeCompare(b.name))
        if (recursionLevel(req) > 0) return sync(all)
        return sync(all.map((n) => `/1.0/networks/${n.name}`))
      },
    },
    post: {
      access: 'admin',
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
      access: 'admin',
      handler: async (req) => {
        const n = load(req)
        checkEtag(req.headers, networks.networkEtagSource(n))
        await networks.updateNetwork(req.state, n, await readContent(req), req.requestor())
        return empty()
      },
    },
    patch: {
      access: 'admin',
      handler: async (req) => {
        const n = load(req)
        checkEtag(req.headers, networks.networkEtagSource(n))
        await networks.updateNetwork(req.state, n, await readContent(req, n), req.requestor())
        return empty()
      },
    },
    post: {
      access: 'admin',
      handler: async (req) => {
        const n = load(req)
        const name = requiredString(asObject(await req.json()), 'name', 'No name provided')
        await networks.renameNetwork(req.state, n, name, req.requestor())
        return created(`/1.0/networks/${name}`)
      },
    },
    delete: {
      access: 'admin',
      handler: async (req) => {
        await networks.deleteNetwork(req.state, load(req), req.requestor())
        return empty()
      },
    },
  }),
  endpoint('/1.0/networks/{name}/state', {
    get: {
      access: can('view'),
      handler: async (req) => {
        if (!visible(req, req.params.name!)) throw notFound('Network not found')
        return sync(await networks.networkState(req.state, req.params.name!))
      },
    },
  }),
  endpoint('/1.0/networks/{name}/leases', {
    get: {
      access: can('view'),
      handler: (req) => sync(visibleLeases(req, networks.networkLeases(req.state, load(req)))),
    },
  }),
]
