/** @module /1.0/operations endpoints: list, get, wait, cancel. */
import { badRequest, forbidden, notFound, type Operation } from '@corral/api'
import { isTrue } from '../config/validate.js'
import type { LiveOperation } from '../operation/operation.js'
import { inProject, isAdmin } from './access.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { recursionLevel } from './query.js'
import { empty, sync } from './response.js'

/** The operations a caller may list: a restricted certificate sees only its projects'. */
function visible(req: ApiRequest): LiveOperation[] {
  const all = isTrue(req.query.get('all-projects') ?? '')
  if (!all && !inProject(req.identity, req.project())) throw forbidden()
  const ops = req.state.operations.list(all ? undefined : req.project())
  return isAdmin(req.identity) ? ops : ops.filter((op) => inProject(req.identity, op.project))
}

/** One operation; another project's is "not found" to a restricted certificate. */
function lookup(req: ApiRequest): LiveOperation {
  const op = req.state.operations.get(req.params.id!)
  if (!inProject(req.identity, op.project)) throw notFound('Operation not found')
  return op
}

/** Waiting needs trust in the operation's project, or the operation's secret (LXD's image secrets). */
function waitable(req: ApiRequest): LiveOperation {
  const secret = req.query.get('secret') ?? ''
  if (!req.identity.trusted && secret === '') throw forbidden()
  const op = req.state.operations.get(req.params.id!)
  if (secret !== '' ? !op.secretIs(secret) : !inProject(req.identity, op.project)) throw forbidden()
  return op
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
      access: 'authenticated',
      handler: (req) =>
        sync(
          groupByStatus(visible(req), (op) => (recursionLevel(req) > 0 ? op : `/1.0/operations/${op.id}`)),
        ),
    },
  }),
  endpoint('/1.0/operations/{id}', {
    get: { access: 'authenticated', handler: (req) => sync(lookup(req).render()) },
    delete: {
      access: 'authenticated',
      handler: async (req) => {
        await lookup(req).cancel()
        return empty()
      },
    },
  }),
  endpoint('/1.0/operations/{id}/wait', {
    get: {
      // Untrusted callers wait with the operation's secret, as LXD's image copy does.
      access: 'untrusted',
      handler: async (req) => {
        const op = waitable(req)
        await op.wait(parseTimeout(req))
        return sync(op.render())
      },
    },
  }),
]
