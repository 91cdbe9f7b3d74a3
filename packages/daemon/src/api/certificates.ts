/** @module /1.0/certificates: the trust store. */
import { badRequest, forbidden } from '@corral/api'
import * as db from '../db/certificates.js'
import { addCertificate, checkGrant, removeCertificate, toApiCertificate } from '../certificate/service.js'
import { issueToken, redeemToken, type TokenGrant } from '../certificate/tokens.js'
import { asObject, stringField } from './body.js'
import { endpoint, type ApiRequest } from './endpoint.js'
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

/** An untrusted TLS client adds its own certificate with a token; name and restriction come from the token. */
function redeem(req: ApiRequest, body: Record<string, unknown>) {
  const token = stringField(body, 'trust_token') || stringField(body, 'password')
  if (!token || !req.identity.certificate) throw forbidden()
  const grant = redeemToken(token)
  const fingerprint = addCertificate(
    req.state,
    { ...grant, certificate: req.identity.certificate },
    req.requestor(),
  )
  return created(`/1.0/certificates/${fingerprint}`)
}

/** The certificate endpoints. */
export const certificateEndpoints = [
  endpoint('/1.0/certificates', {
    get: {
      access: 'trusted',
      handler: (req) => {
        const list = db.listCertificates(req.state.db)
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
        const grant = grantOf(body)
        if (body.token === true) {
          checkGrant(req.state, grant)
          const addresses = req.state.https.current() ? [req.state.https.current()] : []
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
      access: 'trusted',
      handler: (req) => sync(toApiCertificate(db.getCertificate(req.state.db, req.params.fingerprint!))),
    },
    delete: {
      access: 'trusted',
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
