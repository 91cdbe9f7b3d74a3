/** @module The certificate shape LXD uses, as `openssl req` arguments: shared by the daemon, the CLI and tests. */

/** What `selfSignedCertificateArgs` makes: subject, validity, files, optional subjectAltName. */
export interface SelfSignedCertificateSpec {
  /** The subject, as openssl's `-subj` takes it (`/O=Corral/CN=root@host`). */
  subject: string
  days: number
  keyFile: string
  certFile: string
  /** A subjectAltName value (`DNS:localhost,IP:127.0.0.1`), for server certificates. */
  altNames?: string
}

/** `openssl req` arguments for LXD's certificate shape: ECDSA P-384 with SHA-384, self-signed, unencrypted key. */
export function selfSignedCertificateArgs(spec: SelfSignedCertificateSpec): string[] {
  return [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:secp384r1',
    '-sha384',
    '-nodes',
    '-days',
    String(spec.days),
    '-subj',
    spec.subject,
    ...(spec.altNames ? ['-addext', `subjectAltName=${spec.altNames}`] : []),
    '-keyout',
    spec.keyFile,
    '-out',
    spec.certFile,
  ]
}
