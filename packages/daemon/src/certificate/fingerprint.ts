/** @module Certificate fingerprints as LXD writes them: sha256 of the DER, lowercase hex. */
import { createHash, X509Certificate } from 'node:crypto'

/** The fingerprint of a DER certificate. */
export function fingerprintOfDer(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex')
}

/** The fingerprint of a PEM certificate. */
export function fingerprintOfPem(pem: string): string {
  return fingerprintOfDer(new X509Certificate(pem).raw)
}
