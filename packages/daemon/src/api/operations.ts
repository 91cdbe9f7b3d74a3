/** @module /1.0/operations endpoints: list, get, wait, cancel. */
import { badRequest, type Operation } from '@corral/api'
import { isTrue } from '../config/validate.js'
import type { LiveOperation } from '../operation/operation.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { recursionLevel } from './query.js'
import { empty, sync } from './response.js'

function visible(req: ApiRequest): LiveOperation[] {
  const all = isTrue(req.query.get('all-projects') ?? '')
  return req.state.operations.list(all ? undefined : req.project())
}

/** Groups operations by lowercase status, as LXD lists them. */
function groupByStatus<T>(ops: LiveOperation[], pick: (op: Operation) => T): Record<string, T[]> {
  const out: Record<string, T[]> = {}
  for (const op of ops) {
    const rendered = op.render()
    ;(out[rendered.status.toLowerCase()] ??= []).push(pick(rendered))
  }
  return out
}

function parseTimeout(req: ApiRequest): number {
  const raw = req.query.get('timeout') ?? '-1'
  const n = Number(raw)
  if (!Number.isFinite(n)) throw badRequest(`Invalid timeout "${raw}"`)
  return n
}

/** The operation endpoints. */
export const operationEndpoints = [
  endpoint('/1.0/operations', {
    get: {
      access: 'trusted',
      handler: (req) =>
        sync(
          groupByStatus(visible(req), (op) => (recursionLevel(req) > 0 ? op : `/1.0/operations/${op.id}`)),
        ),
    },
  }),
  endpoint('/1.0/operations/{id}', {
    get: { access: 'trusted', handler: (req) => sync(req.state.operations.get(req.params.id!).render()) },
    delete: {
      access: 'trusted',
      handler: async (req) => {
        await req.state.operations.get(req.params.id!).cancel()
        return empty()
      },
    },
  }),
  endpoint('/1.0/operations/{id}/wait', {
    get: {
      access: 'trusted',
      handler: async (req) => {
        const op = req.state.operations.get(req.params.id!)
        await op.wait(parseTimeout(req))
        return sync(op.render())
      },
    },
  }),
]
