/** @module GET / and GET/PUT/PATCH /1.0: server information and server config. */
import type { Server, ServerConfig, ServerUntrusted } from '@corral/api'
import { apiExtensions, badRequest } from '@corral/api'
import { getServerConfig, replaceConfig } from '../server/service.js'
import { storagePools } from '../storage/index.js'
import { listenAddresses } from '../endpoints/listen-addresses.js'
import { isAdmin } from './access.js'
import { asObject } from './body.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { checkEtag, etagOf } from './etag.js'
import { empty, sync } from './response.js'

function serverInfo(req: ApiRequest): ServerUntrusted | Server {
  const base: ServerUntrusted = {
    api_extensions: [...apiExtensions],
    api_status: 'stable',
    api_version: '1.0',
    auth: req.identity.trusted ? 'trusted' : 'untrusted',
    public: false,
    auth_methods: ['tls'],
  }
  if (!req.identity.trusted) return base
  return {
    ...base,
    // Server config is for unrestricted callers only, as in LXD.
    config: isAdmin(req.identity) ? getServerConfig(req.state) : {},
    auth_user_name: req.identity.username,
    auth_user_method: req.identity.protocol,
    environment: {
      ...req.state.environment,
      addresses: listenAddresses(req.state.https.current()),
      project: req.project(),
      // The stock client tells a new user to run `lxd init` while this is empty.
      ...storagePools.storageEnvironment(req.state),
    },
  }
}

/** The `config` of PUT/PATCH /1.0: strings, or `true` for a hidden key (keep it). */
function serverConfigField(body: Record<string, unknown>): ServerConfig {
  const v = body.config
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object' || Array.isArray(v))
    throw badRequest('Invalid value for field "config": must be a map')
  for (const [k, val] of Object.entries(v))
    if (typeof val !== 'string' && val !== true)
      throw badRequest(`Invalid value for field "config": key "${k}" must have a string value`)
  return v as ServerConfig
}

async function putServer(req: ApiRequest, merge: boolean) {
  const current = getServerConfig(req.state)
  checkEtag(req.headers, current)
  const config = serverConfigField(asObject(await req.json()))
  await replaceConfig(req.state, merge ? { ...current, ...config } : config, req.requestor())
  return empty()
}

/** The root endpoints. */
export const rootEndpoints = [
  endpoint('/', { get: { access: 'untrusted', handler: () => sync(['/1.0']) } }),
  endpoint('/1.0', {
    get: {
      access: 'untrusted',
      handler: (req) => {
        const info = serverInfo(req)
        return sync(info, 'config' in info ? { etag: etagOf(info.config) } : {})
      },
    },
    put: { access: 'admin', handler: (req) => putServer(req, false) },
    patch: { access: 'admin', handler: (req) => putServer(req, true) },
  }),
]
