/**
 * @module A browser certificate for the web UI, as LXD UI's onboarding makes one: the public
 * `.crt` to trust on the server and a password-protected PKCS#12 `.pfx` (certificate and key) to
 * import into the browser. The unencrypted key only ever exists in a private temporary folder.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { selfSignedCertificateArgs } from '@corral/api'

/** What generateBrowserCertificate wrote. */
export interface BrowserCertificate {
  crt: string
  pfx: string
}

/** Runs openssl with `input` on stdin (the password never reaches argv); rejects with its stderr. */
function openssl(args: string[], input = ''): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`openssl ${args[0]} failed: ${stderr.trim()}`)),
    )
    child.stdin.end(input)
  })
}

/** Writes `<base>.crt` and `<base>.pfx` (mode 0600, encrypted with `password`); refuses to overwrite. */
export async function generateBrowserCertificate(
  base: string,
  password: string,
): Promise<BrowserCertificate> {
  if (password === '') throw new Error('The .pfx needs a password (the browser asks for it on import)')
  const crt = `${base}.crt`
  const pfx = `${base}.pfx`
  for (const f of [crt, pfx])
    if (
      await fs.stat(f).then(
        () => true,
        () => false,
      )
    )
      throw new Error(`${f} already exists`)
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'corral-browser-cert-'))
  try {
    const key = path.join(tmp, 'key.pem')
    const cert = path.join(tmp, 'cert.pem')
    const name = `corral-ui@${os.hostname()}`
    await openssl(
      selfSignedCertificateArgs({
        subject: `/O=Corral/CN=${name}`,
        days: 3650,
        keyFile: key,
        certFile: cert,
      }),
    )
    const out = path.join(tmp, 'out.pfx')
    await openssl(
      ['pkcs12', '-export', '-in', cert, '-inkey', key, '-name', name, '-out', out, '-passout', 'stdin'],
      `${password}\n`,
    )
    await fs.copyFile(cert, crt)
    await fs.copyFile(out, pfx)
    await fs.chmod(pfx, 0o600)
    return { crt, pfx }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true })
  }
}
