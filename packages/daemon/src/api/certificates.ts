/** @module /1.0/certificates: the trust store. */
import { X509Certificate } from 'node:crypto'
import { badRequest, forbidden, notFound } from '@corral/api'
import { AttemptLimiter, trustPasswordKey, trustPasswordMatches } from '../certificate/trust-password.js'
import { loadServerConfig } from '../db/server-config.js'
import type { State } from '../state.js'
import * as db from '../db/certificates.js'
import {
  addCertificate,
  checkGrant,
  removeCertificate,
  toApiCertificate,
  updateCertificate,
} from '../certificate/service.js'
import { issueToken, redeemToken, type TokenGrant } from '../certificate/tokens.js'
import { asObject, stringField } from './body.js'
import { listenAddresses } from '../endpoints/listen-addresses.js'
import { isAdmin } from './access.js'
import { endpoint, type ApiRequest } from './endpoint.js'
import { checkEtag, etagOf } from './etag.js'
import { recursionLevel } from './query.js'
import { async, created, empty, sync } from './response.js'

function projectsField(body: Record<string, unknown>): string[] {
  const v = body.projects
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.some((p) => typeof p !== 'string'))
    throw badRequest('Invalid value for field "projects": must be a list of strings')
  return v as string[]
}

function grantOf(body: Record<string, unknown>): TokenGrant {
  if (body.restricted !== undefined && typeof body.restricted !== 'boolean') {
    throw badRequest('Invalid value for field "restricted": must be a boolean')
  }
  const type = stringField(body, 'type', 'client') || 'client'
  return {
    name: stringField(body, 'name'),
    type,
    restricted: body.restricted === true,
    projects: projectsField(body),
  }
}

/** A certificate the caller may see: a restricted certificate sees only itself (others are not found). */
function load(req: ApiRequest): db.CertificateRecord {
  const c = db.getCertificate(req.state.db, req.params.fingerprint!)
  if (!isAdmin(req.identity) && c.fingerprint !== req.identity.fingerprint)
    throw notFound('Certificate not found')
  return c
}

/** PUT and PATCH: a restricted certificate may replace its own material, nothing else. */
async function update(req: ApiRequest, merge: boolean) {
  const current = load(req)
  checkEtag(req.headers, toApiCertificate(current))
  const body = asObject(await req.json())
  const base = merge ? toApiCertificate(current) : {}
  const merged = { ...base, ...body }
  const next = { ...grantOf(merged), certificate: stringField(merged, 'certificate') }
  if (!isAdmin(req.identity)) {
    const same =
      next.name === current.name &&
      next.type === current.type &&
      next.restricted === current.restricted &&
      next.projects.join('\n') === current.projects.join('\n')
    if (!same) throw forbidden('Only the certificate can be changed')
  }
  updateCertificate(req.state, current, next, req.requestor())
  return empty()
}

/** The name for a certificate added with the trust password: the request's, else the certificate's CN. */
function passwordGrant(body: Record<string, unknown>, pem: string): TokenGrant {
  const grant = grantOf(body)
  if (grant.name) return grant
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(new X509Certificate(pem).subject)?.[1] ?? ''
  const name = cn
    .replace(/[^A-Za-z0-9._@-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 63)
  return { ...grant, name: name || 'client' }
}

/**
 * An untrusted TLS client adds its own certificate: with a trust token (name and restriction come
 * from the token), or with core.trust_password as LXD 5.0.2 allows (5.0.2 clients send both as
 * `password`). Anything else is 403 "not authorized", as LXD answers, and nothing is added.
 */
async function redeem(req: ApiRequest, body: Record<string, unknown>) {
  const secret = stringField(body, 'trust_token') || stringField(body, 'password')
  const certificate = req.identity.certificate
  if (!secret || !certificate) throw forbidden()
  sameAsPresented(stringField(body, 'certificate'), certificate)
  const grant = redeemToken(secret)
  if (grant) {
    const fingerprint = addCertificate(req.state, { ...grant, certificate }, req.requestor())
    return created(`/1.0/certificates/${fingerprint}`)
  }
  const stored = loadServerConfig(req.state.db)[trustPasswordKey] ?? ''
  if (!stored) throw forbidden()
  // Counted before the hash is computed: guessing costs the guesser, not the daemon.
  limiterOf(req.state).take(req.raw.socket.remoteAddress ?? '')
  if (!(await trustPasswordMatches(stored, secret))) {
    req.state.log.warn('Bad trust password', { address: req.identity.address })
    throw forbidden()
  }
  const fingerprint = addCertificate(
    req.state,
    { ...passwordGrant(body, certificate), certificate },
    req.requestor(),
  )
  return created(`/1.0/certificates/${fingerprint}`)
}

/**
 * A certificate in the body (pylxd sends one) must be the one presented on the connection: a
 * password or token trusts whoever holds that key, never a certificate named by someone else.
 */
function sameAsPresented(given: string, presented: string): void {
  if (!given) return
  const pem = given.includes('BEGIN CERTIFICATE')
    ? given
    : `-----BEGIN CERTIFICATE-----\n${given}\n-----END CERTIFICATE-----\n`
  let same: boolean
  try {
    same = new X509Certificate(pem).raw.equals(new X509Certificate(presented).raw)
  } catch {
    throw badRequest('Invalid certificate material')
  }
  if (!same) throw badRequest('The certificate must be the one presented on this connection')
}

const limiters = new WeakMap<State, AttemptLimiter>()

/** The daemon's trust password attempt counter. */
function limiterOf(state: State): AttemptLimiter {
  let limiter = limiters.get(state)
  if (!limiter) limiters.set(state, (limiter = new AttemptLimiter()))
  return limiter
}

/** The certificate endpoints. */
export const certificateEndpoints = [
  endpoint('/1.0/certificates', {
    get: {
      access: 'authenticated',
      handler: (req) => {
        const list = db
          .listCertificates(req.state.db)
          .filter((c) => isAdmin(req.identity) || c.fingerprint === req.identity.fingerprint)
        if (recursionLevel(req) > 0) return sync(list.map(toApiCertificate))
        return sync(list.map((c) => `/1.0/certificates/${c.fingerprint}`))
      },
    },
    post: {
      // Untrusted callers may only redeem a trust token; the handler checks that first.
      access: 'untrusted',
      handler: async (req) => {
        const body = asObject(await req.json())
        if (!req.identity.trusted) return redeem(req, body)
        // A restricted certificate can neither add certificates nor issue tokens, as in LXD.
        if (!isAdmin(req.identity)) throw forbidden()
        const grant = grantOf(body)
        if (body.token === true) {
          checkGrant(req.state, grant)
          const addresses = listenAddresses(req.state.https.current())
          return async(issueToken(req.state, grant, req.requestor(), addresses))
        }
        // Without a certificate in the body, a trusted TLS caller adds its own (as LXD does).
        const certificate = stringField(body, 'certificate') || req.identity.certificate || ''
        if (!certificate) throw badRequest('No certificate provided')
        const pem = certificate.includes('BEGIN CERTIFICATE')
          ? certificate
          : `-----BEGIN CERTIFICATE-----\n${certificate}\n-----END CERTIFICATE-----\n`
        const fingerprint = addCertificate(req.state, { ...grant, certificate: pem }, req.requestor())
        return created(`/1.0/certificates/${fingerprint}`)
      },
    },
  }),
  endpoint('/1.0/certificates/{fingerprint}', {
    get: {
      access: 'authenticated',
      handler: (req) => {
        const c = toApiCertificate(load(req))
        return sync(c, { etag: etagOf(c) })
      },
    },
    put: { access: 'authenticated', handler: (req) => update(req, false) },
    patch: { access: 'authenticated', handler: (req) => update(req, true) },
    delete: {
      access: 'admin',
      handler: (req) => {
        removeCertificate(
          req.state,
          db.getCertificate(req.state.db, req.params.fingerprint!),
          req.requestor(),
        )
        return empty()
      },
    },
  }),
]
