/** @module /1.0/operations: list (grouped by status), get, wait, cancel. */
import type { Operation } from '@corral/api'
import type { Requester } from './requester.js'

/** Operations grouped by lowercase status, as LXD returns them with recursion=1. */
export type OperationGroups = Record<string, Operation[]>

/** Operation endpoints bound to one requester. */
export interface OperationsApi {
  /** GET /1.0/operations?recursion=1, flattened in the server's group order. */
  list(): Promise<Operation[]>
  /** GET /1.0/operations?recursion=1 as the server groups it. */
  listGrouped(): Promise<OperationGroups>
  /** GET /1.0/operations/{id}. */
  get(id: string): Promise<Operation>
  /** GET /1.0/operations/{id}/wait?timeout=N (-1: no timeout). */
  wait(id: string, timeout?: number): Promise<Operation>
  /** DELETE /1.0/operations/{id}: cancels it. */
  cancel(id: string): Promise<void>
}

const path = (id: string): string => `/1.0/operations/${encodeURIComponent(id)}`

/** Extracts the id from an operation URL (`/1.0/operations/<id>`). */
export function operationId(url: string): string {
  const tail = url.split('?')[0]!.split('/').pop() ?? ''
  return decodeURIComponent(tail)
}

/** Builds the operation endpoints. */
export function operationsApi(r: Requester): OperationsApi {
  const listGrouped = async (): Promise<OperationGroups> =>
    (await r.call<OperationGroups | null>('GET', '/1.0/operations?recursion=1')).metadata ?? {}
  return {
    listGrouped,
    async list() {
      return Object.values(await listGrouped()).flat()
    },
    async get(id) {
      return (await r.call<Operation>('GET', path(id))).metadata
    },
    async wait(id, timeout = -1) {
      return (await r.call<Operation>('GET', `${path(id)}/wait?timeout=${timeout}`)).metadata
    },
    async cancel(id) {
      await r.call('DELETE', path(id))
    },
  }
}
