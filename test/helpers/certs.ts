/** @module System tier: throwaway client certificates made with openssl. */
import { join } from 'node:path'
import { selfSignedCertificateArgs } from '@corral/api'
import { run } from './corrald.js'

/** Creates an ECDSA P-384 self-signed certificate in `dir`; returns the cert and key paths. */
export function makeClientCert(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`)
  const key = join(dir, `${name}.key`)
  const r = run(
    'openssl',
    selfSignedCertificateArgs({ subject: `/CN=${name}`, days: 30, keyFile: key, certFile: cert }),
  )
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`)
  return { cert, key }
}
