/** @module Image secrets: token operations that let an untrusted server fetch one private image. */
import { randomBytes } from 'node:crypto'
import type { Requestor } from '@corral/api'
import { entityUrl, publishLifecycle } from '../events/lifecycle.js'
import type { LiveOperation } from '../operation/operation.js'
import type { State } from '../state.js'

const description = 'Image download token'

/** How long an image secret stays valid: long enough for the copy it is made for, no longer. */
export const imageSecretLifetimeMs = 3600_000

/** When each live secret operation expires, by operation id. */
const expiries = new Map<string, number>()

/** Issues a secret for one image as a running token operation (metadata.secret), as LXD does. */
export function issueImageSecret(
  state: State,
  project: string,
  fingerprint: string,
  requestor: Requestor,
  lifetimeMs = imageSecretLifetimeMs,
): LiveOperation {
  let finish!: () => void
  const done = new Promise<void>((resolve) => (finish = resolve))
  const url = entityUrl(`/1.0/images/${fingerprint}`, project)
  const op = state.operations.create({
    project,
    class: 'token',
    description,
    resources: { images: [`/1.0/images/${fingerprint}`] },
    metadata: { secret: randomBytes(32).toString('hex') },
    requestor,
    run: () => done,
    cancel: () => {
      expiries.delete(op.id)
      finish()
    },
  })
  expiries.set(op.id, Date.now() + lifetimeMs)
  // An unused secret ends by itself, as LXD's token operations do.
  setTimeout(() => void op.cancel().catch(() => {}), lifetimeMs).unref()
  publishLifecycle(state.events, 'image-secret-created', url, { project, requestor })
  return op
}

/** The live, unexpired secret operation for this image whose secret equals `secret`, if any. */
export function findImageSecret(
  state: State,
  project: string,
  fingerprint: string,
  secret: string,
): LiveOperation | undefined {
  return state.operations.list(project).find((op) => {
    const r = op.render()
    if (op.done || r.class !== 'token' || r.description !== description) return false
    if ((expiries.get(op.id) ?? 0) <= Date.now()) return false
    if (!r.resources?.images?.includes(`/1.0/images/${fingerprint}`)) return false
    return op.secretIs(secret)
  })
}
