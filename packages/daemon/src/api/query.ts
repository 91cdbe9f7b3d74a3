/** @module Query parameters shared by list endpoints. */
import type { ApiRequest } from './endpoint.js'

/** The `recursion` level requested (0 when absent or malformed). */
export function recursionLevel(req: ApiRequest): number {
  const n = Number(req.query.get('recursion') ?? '0')
  return Number.isInteger(n) && n > 0 ? n : 0
}
