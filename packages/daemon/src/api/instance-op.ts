/** @module Runs instance work as an operation, serialised per instance. */
import { entityUrl } from '../events/lifecycle.js'
import type { Caller } from '../instance/lifecycle.js'
import { instanceLock, lockKey } from '../instance/service.js'
import type { LiveOperation, OperationContext } from '../operation/operation.js'
import type { ApiRequest } from './endpoint.js'

/** The caller of a request: its project and requestor. */
export function callerOf(req: ApiRequest): Caller {
  return { project: req.project(), requestor: req.requestor() }
}

/** Starts an operation for one instance; its work waits for earlier work on that instance. */
export function instanceOperation(
  req: ApiRequest,
  opts: {
    name: string
    description: string
    extraResources?: string[]
    alsoLock?: string
    /** Run at once, not after earlier work on the instance (a forced stop cutting a clean one short). */
    unlocked?: boolean
  },
  work: (ctx: OperationContext) => Promise<Record<string, unknown> | void>,
): LiveOperation {
  const project = req.project()
  return req.state.operations.create({
    project,
    class: 'task',
    description: opts.description,
    resources: {
      instances: [entityUrl(`/1.0/instances/${opts.name}`, project), ...(opts.extraResources ?? [])],
    },
    requestor: req.requestor(),
    run: (ctx) => {
      if (opts.unlocked) return work(ctx)
      // Several locks are taken in sorted order, so two renames in opposite directions cannot deadlock.
      const keys = [...new Set([opts.name, opts.alsoLock ?? opts.name])]
        .sort()
        .map((n) => lockKey(project, n))
      return keys.reduceRight<() => Promise<Record<string, unknown> | void>>(
        (inner, key) => () => instanceLock.run(key, inner),
        () => work(ctx),
      )()
    },
  })
}
