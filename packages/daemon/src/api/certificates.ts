/** @module /1.0/certificates: the trust store. */
import { badRequest } from '@corral/api'
import * as db from '../db/certificates.js'
import { addCertificate, removeCertificate, toApiCertificate } from '../certificate/service.js'
import { asObject, stringField } from './body.js'
import { endpoint } from './endpoint.js'
import { recursionLevel } from './query.js'
import { created, empty, sync } from './response.js'

function projectsField(body: Record<string, unknown>): string[] {
  const v = body.projects
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.some((p) => typeof p !== 'string'))
    throw badRequest('Invalid value for field "projects": must be a list of strings')
  return v as string[]
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
      access: 'trusted',
      handler: async (req) => {
        const body = asObject(await req.json())
        if (body.token === true) throw badRequest('Trust tokens are not supported yet')
        if (body.restricted !== undefined && typeof body.restricted !== 'boolean')
          throw badRequest('Invalid value for field "restricted": must be a boolean')
        const certificate = stringField(body, 'certificate')
        if (!certificate) throw badRequest('No certificate provided')
        const pem = certificate.includes('BEGIN CERTIFICATE')
          ? certificate
          : `-----BEGIN CERTIFICATE-----\n${certificate}\n-----END CERTIFICATE-----\n`
        const fingerprint = addCertificate(
          req.state,
          {
            name: stringField(body, 'name'),
            type: stringField(body, 'type', 'client') || 'client',
            certificate: pem,
            restricted: body.restricted === true,
            projects: projectsField(body),
          },
          req.requestor(),
        )
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
