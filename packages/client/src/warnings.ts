/** @module /1.0/warnings: list, get, acknowledge or reset, delete. */
import type { Warning, WarningPut } from '@corral/api'
import type { Requester } from './requester.js'

/** Warning endpoints; outside the default project the list is that project's only, as lxc does. */
export interface WarningsApi {
  /** GET /1.0/warnings?recursion=1. */
  list(): Promise<Warning[]>
  /** GET /1.0/warnings/{uuid}. */
  get(uuid: string): Promise<Warning>
  /** PUT /1.0/warnings/{uuid}: `acknowledged` or `new`. */
  update(uuid: string, body: WarningPut): Promise<void>
  /** DELETE /1.0/warnings/{uuid}. */
  delete(uuid: string): Promise<void>
}

/** Builds the warning endpoints. */
export function warningsApi(r: Requester): WarningsApi {
  const path = (uuid: string) => `/1.0/warnings/${encodeURIComponent(uuid)}`
  return {
    async list() {
      return (await r.call<Warning[]>('GET', '/1.0/warnings?recursion=1')).metadata ?? []
    },
    async get(uuid) {
      return (await r.call<Warning>('GET', path(uuid), undefined, { project: false })).metadata
    },
    async update(uuid, body) {
      await r.call('PUT', path(uuid), body, { project: false })
    },
    async delete(uuid) {
      await r.call('DELETE', path(uuid), undefined, { project: false })
    },
  }
}
