/** @module GET/PUT/PATCH /1.0: the server's information and configuration. */
import type { Server, ServerPut } from '@corral/api'
import type { Requester } from './requester.js'

/** Server endpoints bound to one requester. */
export interface ServerApi {
  /** GET /1.0, with the ETag of its config. */
  get(): Promise<{ server: Server; etag?: string }>
  /** PUT /1.0: replaces the server config (If-Match when an ETag is given). */
  put(body: ServerPut, etag?: string): Promise<void>
  /** PATCH /1.0: merges keys into the server config. */
  patch(body: Partial<ServerPut>, etag?: string): Promise<void>
}

/** Builds the server endpoints. */
export function serverApi(r: Requester): ServerApi {
  return {
    async get() {
      const { metadata, etag } = await r.call<Server>('GET', '/1.0')
      return { server: metadata, etag }
    },
    async put(body, etag) {
      await r.call('PUT', '/1.0', body, { etag })
    },
    async patch(body, etag) {
      await r.call('PATCH', '/1.0', body, { etag })
    },
  }
}
