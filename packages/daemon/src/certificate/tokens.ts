/** @module Trust tokens: single-use token operations that let an untrusted client add its certificate. */
import { randomBytes } from 'node:crypto'
import { forbidden, type Requestor } from '@corral/api'
import { loadServerConfig } from '../db/server-config.js'
import type { LiveOperation } from '../operation/operation.js'
import type { State } from '../state.js'
import { sameSecret } from '../util/secret.js'
import { parseDuration } from '../util/duration.js'
import { serverKeys } from '../config/server-keys.js'

/** What a token grants, fixed when it is issued (never taken from the redeeming request). */
export interface TokenGrant {
  name: string
  type: string
  restricted: boolean
  projects: string[]
}

interface Pending {
  op: LiveOperation
  secret: string
  grant: TokenGrant
  expiresAt: Date
  finish: () => void
}

/** The daemon's outstanding trust tokens, by operation id. */
const pending = new Map<string, Pending>()

/** Issues a token: a running token-class operation whose metadata the client turns into the token string. */
export function issueToken(
  state: State,
  grant: TokenGrant,
  requestor: Requestor,
  addresses: string[],
): LiveOperation {
  const secret = randomBytes(32).toString('hex')
  const expiry = serverKeys.get(loadServerConfig(state.db), 'core.remote_token_expiry')
  const expiresAt = new Date(Date.now() + parseDuration(expiry))
  let finish!: () => void
  const done = new Promise<void>((resolve) => (finish = resolve))
  const op = state.operations.create({
    project: 'default',
    class: 'token',
    description: 'Certificate add token',
    metadata: {
      request: {
        name: grant.name,
        type: grant.type,
        restricted: grant.restricted,
        projects: grant.projects,
        token: true,
      },
      clientName: grant.name,
      fingerprint: state.environment.certificate_fingerprint,
      addresses,
      secret,
      expiresAt: expiresAt.toISOString(),
    },
    requestor,
    run: () => done,
    cancel: () => {
      pending.delete(op.id)
      finish()
    },
  })
  pending.set(op.id, { op, secret, grant, expiresAt, finish })
  const timer = setTimeout(
    () => void op.cancel().catch(() => {}),
    Math.min(expiresAt.getTime() - Date.now(), 2 ** 31 - 1),
  )
  timer.unref()
  return op
}

/** The token JSON an LXD client encodes in base64. */
interface TokenBody {
  client_name?: unknown
  fingerprint?: unknown
  addresses?: unknown
  secret?: unknown
  expires_at?: unknown
}

/** Decodes a token string; undefined for anything that is not one (it may be a trust password). */
export function decodeToken(token: string): { secret: string } | undefined {
  try {
    const body = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as TokenBody
    if (typeof body.secret !== 'string' || body.secret === '') return undefined
    return { secret: body.secret }
  } catch {
    return undefined
  }
}

/**
 * Redeems a token: single use, constant-time secret comparison, refused (403) once expired.
 * Undefined when the string is no token or matches none, so the caller may try it as a password.
 */
export function redeemToken(token: string): TokenGrant | undefined {
  const decoded = decodeToken(token)
  if (!decoded) return undefined
  const match = [...pending.values()].find((p) => sameSecret(p.secret, decoded.secret))
  if (!match) return undefined
  pending.delete(match.op.id)
  match.finish()
  if (match.expiresAt.getTime() < Date.now()) throw forbidden('Token has expired')
  return match.grant
}
