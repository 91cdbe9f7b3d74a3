/** @module The server's own TLS certificate: ECDSA P-384, self-signed, made on first start. */
import { existsSync, readFileSync } from 'node:fs'
import { chmod } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { selfSignedCertificateArgs } from '@corral/api'
import type { CommandRunner } from '../host/runner.js'
import { fingerprintOfPem } from './fingerprint.js'

/** The server certificate and key (PEM) and the certificate's fingerprint. */
export interface ServerCertificate {
  cert: string
  key: string
  fingerprint: string
}

/** Loads `server.crt`/`server.key` from the state directory, generating them (via openssl) when missing. */
export async function ensureServerCertificate(dir: string, host: CommandRunner): Promise<ServerCertificate> {
  const certFile = join(dir, 'server.crt')
  const keyFile = join(dir, 'server.key')
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    // LXD's choice: ECDSA P-384 with SHA-384, valid ten years.
    await host.run(
      'openssl',
      selfSignedCertificateArgs({
        subject: `/O=Corral/CN=root@${hostname()}`,
        days: 3650,
        keyFile,
        certFile,
        altNames: 'DNS:localhost,IP:127.0.0.1,IP:::1',
      }),
    )
    await chmod(keyFile, 0o600)
  }
  const cert = readFileSync(certFile, 'utf8')
  return { cert, key: readFileSync(keyFile, 'utf8'), fingerprint: fingerprintOfPem(cert) }
}
