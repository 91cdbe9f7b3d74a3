/** @module /1.0/certificates: the trust store, trust tokens and their redemption. */
import type { Certificate, CertificatePut, CertificatesPost, Operation } from '@corral/api'
import { operationId } from './operations.js'
import type { Requester } from './requester.js'

/** Certificate endpoints bound to one requester. */
export interface CertificatesApi {
  /** GET /1.0/certificates?recursion=1. */
  list(): Promise<Certificate[]>
  /** GET /1.0/certificates/{fingerprint}, with its ETag. */
  get(fingerprint: string): Promise<{ certificate: Certificate; etag?: string }>
  /** POST /1.0/certificates with a certificate (or, untrusted, a token in `password`/`trust_token`). */
  add(body: CertificatesPost): Promise<void>
  /** POST /1.0/certificates with `token: true`: the running token operation. */
  createToken(body: CertificatesPost): Promise<Operation>
  /** PUT /1.0/certificates/{fingerprint}. */
  put(fingerprint: string, body: CertificatePut, etag?: string): Promise<void>
  /** DELETE /1.0/certificates/{fingerprint}. */
  delete(fingerprint: string): Promise<void>
}

const path = (fp: string): string => `/1.0/certificates/${encodeURIComponent(fp)}`
const noProject = { project: false }

/** Builds the certificate endpoints (the trust store is server-wide: no `?project=`). */
export function certificatesApi(r: Requester): CertificatesApi {
  return {
    async list() {
      return (await r.call<Certificate[]>('GET', '/1.0/certificates?recursion=1', undefined, noProject))
        .metadata
    },
    async get(fp) {
      const { metadata, etag } = await r.call<Certificate>('GET', path(fp), undefined, noProject)
      return { certificate: metadata, etag }
    },
    async add(body) {
      await r.call('POST', '/1.0/certificates', body, noProject)
    },
    async createToken(body) {
      const res = await r.send<Operation>('POST', '/1.0/certificates', { ...body, token: true }, noProject)
      if (res.envelope.type !== 'async') throw new Error('Expected a token operation from the server')
      const op = res.envelope.metadata
      return (
        op ??
        (await r.call<Operation>('GET', `/1.0/operations/${operationId(res.envelope.operation)}`)).metadata
      )
    },
    async put(fp, body, etag) {
      await r.call('PUT', path(fp), body, { etag, project: false })
    },
    async delete(fp) {
      await r.call('DELETE', path(fp), undefined, noProject)
    },
  }
}
