/**
 * @module Cross-site request refusal for browsers (CSRF): a browser holding a trusted client
 * certificate presents it to any page that asks, so a request another site makes it send must
 * not act. Non-browser clients (lxc, pylxd, curl) send neither Sec-Fetch-Site nor Origin and pass.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { ApiError, forbidden } from '@corral/api'

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Throws 403 when a browser sent a request from another origin: a mutation (as LXD does with Go's
 * CrossOriginProtection) or a websocket upgrade (which the same-origin policy does not cover, and
 * /1.0/events would otherwise read out to any site); throws 415 for a browser's mutation whose
 * body is not JSON, so a plain HTML form can never reach a handler.
 */
export function refuseCrossSite(method: string, headers: IncomingHttpHeaders, upgrade = false): void {
  if (safeMethods.has(method.toUpperCase()) && !upgrade) return
  const site = headers['sec-fetch-site']
  const origin = headers.origin
  if (site !== undefined) {
    if (site !== 'same-origin' && site !== 'none') throw forbidden('Forbidden Sec-Fetch-Site header value')
  } else if (origin !== undefined && !sameHost(origin, headers.host)) {
    throw forbidden('Forbidden cross-origin request')
  }
  if (upgrade || (site === undefined && origin === undefined)) return
  const hasBody = Number(headers['content-length'] ?? 0) > 0 || headers['transfer-encoding'] !== undefined
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (hasBody && type !== 'application/json')
    throw new ApiError(415, 'Browser requests must send application/json')
}

/** True when an Origin header names the host (and port) the request was sent to. */
function sameHost(origin: string, host: string | undefined): boolean {
  if (origin === 'null' || host === undefined) return false
  try {
    return new URL(origin).host === new URL(`https://${host}`).host
  } catch {
    return false
  }
}
