/** @module Certificate wire types (shared/api/certificate.go): the trust store and trust tokens. */

/** The writable fields of a trusted certificate (PUT/PATCH /1.0/certificates/{fingerprint}). */
export interface CertificatePut {
  name: string
  type: string
  restricted: boolean
  projects: string[]
  /** The certificate itself, PEM. */
  certificate: string
}

/** A trusted certificate as GET /1.0/certificates/{fingerprint} returns it. */
export interface Certificate extends CertificatePut {
  fingerprint: string
}

/** Body of POST /1.0/certificates: add a certificate, issue a token (`token`), or redeem one. */
export interface CertificatesPost extends Partial<CertificatePut> {
  /** The trust password or token (LXD 5.0.2 sends tokens here). */
  password?: string
  /** Issue a trust token instead of adding a certificate. */
  token?: boolean
  /** A trust token to redeem (newer LXD). */
  trust_token?: string
}

/** What a trust token carries, as JSON inside its base64 text. */
export interface CertificateAddToken {
  client_name: string
  fingerprint: string
  addresses: string[]
  secret: string
  expires_at: string
}
