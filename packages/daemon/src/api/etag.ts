/** @module ETags as LXD computes and checks them: a hash of the object's writable state. */
import { createHash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { preconditionFailed } from '@corral/api'

/** The ETag of a value (sha256 of its JSON). */
export function etagOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex')
}

/** Throws 412 when If-Match is present and differs from the current ETag. */
export function checkEtag(headers: IncomingHttpHeaders, current: unknown): void {
  const match = headers['if-match']
  if (!match) return
  const expected = match.replace(/^"|"$/g, '')
  if (expected !== etagOf(current)) throw preconditionFailed()
}
