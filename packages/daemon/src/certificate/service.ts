/** @module The trust store: checking and adding client certificates, and their wire form. */
import { X509Certificate } from 'node:crypto'
import { badRequest, type Requestor } from '@corral/api'
import * as db from '../db/certificates.js'
import { getProject } from '../db/projects.js'
import { publishLifecycle } from '../events/lifecycle.js'
import type { State } from '../state.js'
import { fingerprintOfDer } from './fingerprint.js'

/** A certificate as GET /1.0/certificates returns it. */
export interface ApiCertificate {
  name: string
  type: string
  restricted: boolean
  projects: string[]
  certificate: string
  fingerprint: string
}

/** The wire form of a stored certificate. */
export function toApiCertificate(c: db.CertificateRecord): ApiCertificate {
  return {
    name: c.name,
    type: c.type,
    restricted: c.restricted,
    projects: c.projects,
    certificate: c.certificate,
    fingerprint: c.fingerprint,
  }
}

/** Parses a PEM certificate and refuses expired, not-yet-valid and weak ones. */
export function checkCertificate(pem: string, now = new Date()): X509Certificate {
  let cert: X509Certificate
  try {
    cert = new X509Certificate(pem)
  } catch {
    throw badRequest('Invalid certificate material')
  }
  if (new Date(cert.validFrom) > now) throw badRequest('The certificate is not yet valid')
  if (new Date(cert.validTo) < now) throw badRequest('The certificate has expired')
  const details = cert.publicKey.asymmetricKeyDetails
  if (cert.publicKey.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) < 2048) {
    throw badRequest('The certificate key is too weak (RSA keys need at least 2048 bits)')
  }
  return cert
}

/** What a trusted caller sends to add a certificate. */
export interface AddRequest {
  name: string
  type: string
  certificate: string
  restricted: boolean
  projects: string[]
}

/** Adds a client certificate to the trust store after checking it and its restriction. */
export function addCertificate(state: State, req: AddRequest, requestor: Requestor): string {
  checkGrant(state, req)
  const cert = checkCertificate(req.certificate)
  const fingerprint = fingerprintOfDer(cert.raw)
  db.addCertificate(state.db, { ...req, fingerprint, certificate: cert.toString() })
  publishLifecycle(state.events, 'certificate-created', `/1.0/certificates/${fingerprint}`, { requestor })
  return fingerprint
}

/** Checks a certificate's name, type and restriction (also when a token is issued). */
export function checkGrant(state: State, req: Omit<AddRequest, 'certificate'>): void {
  if (req.type !== 'client') throw badRequest(`Unknown certificate type "${req.type}"`)
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,62}$/.test(req.name))
    throw badRequest(`Invalid certificate name "${req.name}"`)
  if (req.projects.length > 0 && !req.restricted) {
    // LXD grants full access here without a word; refusing makes the mistake visible.
    throw badRequest('Projects can only be set on a restricted certificate (add --restricted)')
  }
  for (const p of req.projects) getProject(state.db, p)
}

/** The writable fields of a certificate (PUT/PATCH /1.0/certificates/{fingerprint}). */
export type CertificatePut = Omit<AddRequest, 'certificate'> & { certificate: string }

/**
 * Updates a certificate; a new `certificate` re-keys the entry under its own fingerprint.
 * Returns the fingerprint the entry now has.
 */
export function updateCertificate(
  state: State,
  current: db.CertificateRecord,
  next: CertificatePut,
  requestor: Requestor,
): string {
  checkGrant(state, next)
  let { certificate, fingerprint } = current
  if (
    next.certificate !== '' &&
    next.certificate.replace(/\s/g, '') !== current.certificate.replace(/\s/g, '')
  ) {
    const cert = checkCertificate(next.certificate)
    certificate = cert.toString()
    fingerprint = fingerprintOfDer(cert.raw)
  }
  db.updateCertificate(state.db, current.fingerprint, { ...next, certificate, fingerprint })
  publishLifecycle(state.events, 'certificate-updated', `/1.0/certificates/${fingerprint}`, { requestor })
  return fingerprint
}

/** Removes a certificate from the trust store. */
export function removeCertificate(state: State, c: db.CertificateRecord, requestor: Requestor): void {
  db.deleteCertificate(state.db, c.fingerprint)
  publishLifecycle(state.events, 'certificate-deleted', `/1.0/certificates/${c.fingerprint}`, { requestor })
}
