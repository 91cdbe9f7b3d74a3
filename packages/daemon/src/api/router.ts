/** @module Mounts the endpoint table: routing, cross-site refusal, access policy, body limits, 503s, error rendering. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { ApiError, badRequest, errorEnvelope, notFound, tooLarge, unavailable } from '@corral/api'
import type { State } from '../state.js'
import { checkAccess, type Access, type Identity } from './access.js'
import { refuseCrossSite } from './cross-origin.js'
import type { ApiRequest, Endpoint, Method } from './endpoint.js'
import { classifyError, renderError, renderResponse } from './render.js'

/** At most this many operations running at once in a restricted certificate's projects. */
export const maxTenantOperations = 256

/** How many operations are running in these projects. */
function runningIn(state: State, projects: readonly string[]): number {
  return state.operations.list().filter((op) => !op.done && projects.includes(op.project)).length
}

/** Largest JSON body accepted; bigger bodies get 413 before any work. */
export const maxJsonBody = 4 * 1024 * 1024

/** Largest websocket frame a client may send unless the endpoint says otherwise (ws's own default is 100 MiB). */
export const defaultMaxFrame = 1024 * 1024

interface Route {
  endpoint: Endpoint
  pattern: RegExp
  names: string[]
}

/** The request handlers built from an endpoint table. */
export interface Router {
  handle(req: IncomingMessage, res: ServerResponse, identity: Identity): void
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, identity: Identity): void
  /** Closes every upgraded websocket (at shutdown; the HTTP server does not track them). */
  closeSockets(): void
}

/** Builds the router for a daemon's state. */
export function mount(endpoints: readonly Endpoint[], state: State): Router {
  const routes = endpoints.map(compile)
  // One server per frame limit: ws checks maxPayload while it reads, before buffering a frame.
  const servers = new Map<number, WebSocketServer>()
  const serverFor = (maxPayload: number): WebSocketServer => {
    let wss = servers.get(maxPayload)
    if (!wss) servers.set(maxPayload, (wss = new WebSocketServer({ noServer: true, maxPayload })))
    return wss
  }

  const find = (path: string): { route: Route; params: Record<string, string> } | undefined => {
    for (const route of routes) {
      const m = route.pattern.exec(path)
      if (!m) continue
      const params: Record<string, string> = {}
      route.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')))
      return { route, params }
    }
    return undefined
  }

  const prepare = (
    req: IncomingMessage,
    identity: Identity,
    access: Access | undefined,
    params: Record<string, string>,
  ): ApiRequest => {
    if (!access) throw new ApiError(405, 'Method not allowed')
    const project = new URL(req.url ?? '/', 'http://corral').searchParams.get('project') || 'default'
    checkAccess(access, identity, project)
    // What the action changes may belong to another project (shared images): the caller needs that one too.
    if (typeof access === 'object' && access.owner)
      checkAccess(access, identity, access.owner(state, project))
    if (state.phase === 'starting') throw unavailable('Daemon is starting up')
    if (state.phase === 'stopping' && access !== 'localOnly') throw unavailable('Shutting down')
    // A tenant's running operations (exec sessions hold a host helper each) are bounded.
    const tenant = identity.restriction?.projects
    if (tenant && req.method !== 'GET' && runningIn(state, tenant) >= maxTenantOperations)
      throw new ApiError(429, "Too many operations running in this certificate's projects")
    return buildRequest(req, identity, params, state)
  }

  return {
    closeSockets() {
      for (const wss of servers.values()) for (const client of wss.clients) client.terminate()
    },
    handle(req, res, identity) {
      void (async () => {
        try {
          // Only a browser can be made to send a cross-site request, and no browser reaches the socket.
          if (identity.protocol !== 'unix') refuseCrossSite(req.method ?? 'GET', req.headers)
          const url = new URL(req.url ?? '/', 'http://corral')
          const found = find(url.pathname)
          if (!found) throw notFound()
          const method = (req.method ?? 'GET').toLowerCase() as Method
          const action = found.route.endpoint.actions[method]
          if (!action)
            res.setHeader('Allow', Object.keys(found.route.endpoint.actions).join(', ').toUpperCase())
          const apiReq = prepare(req, identity, action?.access, found.params)
          renderResponse(res, await action!.handler(apiReq))
        } catch (err) {
          const { status } = classifyError(err)
          if (status >= 500) state.log.error('Request failed', { url: req.url ?? '', err: String(err) })
          req.resume()
          renderError(res, err)
        }
      })()
    },
    upgrade(req, socket, head, identity) {
      try {
        if (identity.protocol !== 'unix') refuseCrossSite('GET', req.headers, true)
        const url = new URL(req.url ?? '/', 'http://corral')
        const found = find(url.pathname)
        const ws = found?.route.endpoint.websocket
        if (!found || !ws) throw notFound()
        const apiReq = prepare(req, identity, ws.access, found.params)
        ws.check?.(apiReq)
        serverFor(ws.maxPayload ?? defaultMaxFrame).handleUpgrade(req, socket, head, (conn) =>
          ws.handler(apiReq, conn),
        )
      } catch (err) {
        const { status, message } = classifyError(err)
        const body = JSON.stringify(errorEnvelope(status, message))
        socket.end(
          `HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        )
      }
    },
  }
}

function compile(endpoint: Endpoint): Route {
  const names: string[] = []
  const source = endpoint.path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name)
    return '([^/]+)'
  })
  return { endpoint, pattern: new RegExp(`^${source}/?$`), names }
}

function buildRequest(
  req: IncomingMessage,
  identity: Identity,
  params: Record<string, string>,
  state: State,
): ApiRequest {
  const url = new URL(req.url ?? '/', 'http://corral')
  let body: Promise<unknown> | undefined
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    params,
    query: url.searchParams,
    headers: req.headers,
    identity,
    state,
    raw: req,
    json: () => (body ??= readJson(req)),
    project: () => url.searchParams.get('project') || 'default',
    requestor: () => ({
      username: identity.username,
      protocol: identity.protocol,
      address: identity.address,
    }),
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > maxJsonBody) throw tooLarge(`Request body too large (limit ${maxJsonBody} bytes)`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxJsonBody) throw tooLarge(`Request body too large (limit ${maxJsonBody} bytes)`)
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') throw badRequest('Request body is empty')
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw badRequest(`Invalid JSON in request body: ${err instanceof Error ? err.message : String(err)}`)
  }
}
