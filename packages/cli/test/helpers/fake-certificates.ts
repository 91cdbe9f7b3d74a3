/** @module The fake server's trust store: certificates, token operations and their redemption. */
/* eslint-disable @typescript-eslint/require-await -- the fake implements an async interface synchronously */
import { ApiError, type Certificate, type Operation } from '@corral/api'
import type { CertificatesApi } from '@corral/client'
import type { Call } from './fake-client.js'

/** What the trust store fake needs from the server state. */
export interface TrustState {
  certificates: Certificate[]
  operations: Operation[]
  /** The server's own certificate fingerprint (goes into tokens). */
  fingerprint: string
  /** Addresses tokens name. */
  addresses: string[]
}

let tokenCounter = 0

/** A token operation as the daemon issues it. */
export function tokenOperation(state: TrustState, name: string, restricted = false, projects: string[] = []) {
  const id = `tok-${++tokenCounter}`
  const op: Operation = {
    id,
    class: 'token',
    description: 'Certificate add token',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    status: 'Running',
    status_code: 103,
    resources: null,
    metadata: {
      request: { name, type: 'client', restricted, projects, token: true },
      clientName: name,
      fingerprint: state.fingerprint,
      addresses: state.addresses,
      secret: `secret-${id}`,
      expiresAt: '2026-01-16T00:00:00.000Z',
    },
    may_cancel: true,
    err: '',
    location: 'none',
  }
  state.operations.push(op)
  return op
}

/** The certificates API of a fake server as seen by a caller with client certificate `viewer` (PEM, or 'unix'). */
export function fakeCertificates(
  state: TrustState,
  viewer: string,
  record: (c: Call) => void,
): CertificatesApi {
  const find = (fp: string): Certificate => {
    const matches = state.certificates.filter((c) => c.fingerprint.startsWith(fp))
    if (matches.length !== 1) throw new ApiError(404, 'Certificate not found')
    return matches[0]!
  }
  return {
    async list() {
      record({ method: 'GET', path: '/1.0/certificates?recursion=1' })
      return structuredClone(state.certificates)
    },
    async get(fp) {
      record({ method: 'GET', path: `/1.0/certificates/${fp}` })
      return { certificate: structuredClone(find(fp)), etag: 'c1' }
    },
    async add(body) {
      record({ method: 'POST', path: '/1.0/certificates', body })
      const secretOf = (text: string): string => {
        try {
          return (JSON.parse(Buffer.from(text, 'base64').toString()) as { secret: string }).secret
        } catch {
          throw new ApiError(400, 'Failed decoding trust token')
        }
      }
      const given = body.trust_token || body.password
      if (given) {
        const secret = secretOf(given)
        const op = state.operations.find(
          (o) => o.class === 'token' && o.status === 'Running' && o.metadata?.secret === secret,
        )
        if (!op) throw new ApiError(403, 'No matching certificate add operation found')
        op.status = 'Success'
        op.status_code = 200
        const request = op.metadata!.request as { name: string; restricted: boolean; projects: string[] }
        state.certificates.push({
          name: request.name,
          type: 'client',
          restricted: request.restricted,
          projects: request.projects,
          certificate: viewer,
          fingerprint: fingerprintOf(viewer),
        })
        return
      }
      if (!body.certificate) throw new ApiError(400, 'No certificate provided')
      const pem = body.certificate.includes('BEGIN')
        ? body.certificate
        : `-----BEGIN CERTIFICATE-----\n${body.certificate.replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`
      state.certificates.push({
        name: body.name ?? '',
        type: body.type ?? 'client',
        restricted: body.restricted ?? false,
        projects: body.projects ?? [],
        certificate: pem,
        fingerprint: fingerprintOf(pem),
      })
    },
    async createToken(body) {
      record({ method: 'POST', path: '/1.0/certificates', body: { ...body, token: true } })
      return structuredClone(tokenOperation(state, body.name ?? '', body.restricted, body.projects ?? []))
    },
    async put(fp, body, etag) {
      record({ method: 'PUT', path: `/1.0/certificates/${fp}`, body, etag })
      Object.assign(find(fp), body)
    },
    async delete(fp) {
      record({ method: 'DELETE', path: `/1.0/certificates/${fp}` })
      const c = find(fp)
      state.certificates = state.certificates.filter((x) => x !== c)
    },
  }
}

/** The fake's fingerprint of a certificate text: a stable 64-hex string. */
export function fingerprintOf(pem: string): string {
  let h = 0
  for (const ch of pem) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return h.toString(16).padStart(8, '0').repeat(8)
}
