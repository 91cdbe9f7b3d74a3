/** @module Comparing secrets (tokens, websocket and image secrets) in constant time. */
import { timingSafeEqual } from 'node:crypto'

/** True when two non-empty secrets are equal; the comparison takes the same time for any mismatch of equal length. */
export function sameSecret(want: string, given: string): boolean {
  if (want === '' || given === '') return false
  const a = Buffer.from(want)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}
