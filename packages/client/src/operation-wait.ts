/** @module Running a request that may start an operation: wait for it, report progress, fail on its error. */
import type { Operation } from '@corral/api'
import { OperationError } from './errors.js'
import { listenEvents } from './events.js'
import { operationId } from './operations.js'
import type { Requester, RequestOptions } from './requester.js'

/** Called with an operation's metadata each time it changes (progress texts live there). */
export type ProgressHandler = (metadata: Record<string, unknown>) => void

/** Waits for an operation; with `onProgress`, follows its events. Throws with the operation's error. */
export async function waitOperation(
  r: Requester,
  id: string,
  onProgress?: ProgressHandler,
): Promise<Operation> {
  const stream = onProgress
    ? await listenEvents(r, { types: ['operation'] }).catch(() => undefined)
    : undefined
  stream?.onEvent((e) => {
    const op = e.metadata as Operation | undefined
    if (op?.id === id && op.metadata) onProgress!(op.metadata)
  })
  try {
    const path = `/1.0/operations/${encodeURIComponent(id)}/wait?timeout=-1`
    const { metadata: op } = await r.call<Operation>('GET', path, undefined, { project: false })
    if (op.status_code >= 400) throw new OperationError(op.err || op.status)
    return op
  } finally {
    stream?.close()
  }
}

/** Sends a request; when the server answers with an operation, waits for it to finish. */
export async function runOperation(
  r: Requester,
  method: string,
  path: string,
  body?: unknown,
  opts: RequestOptions & { onProgress?: ProgressHandler } = {},
): Promise<Operation | undefined> {
  const res = await r.send<Operation>(method, path, body, opts)
  if (res.envelope.type !== 'async') return undefined
  return waitOperation(r, operationId(res.envelope.operation), opts.onProgress)
}
