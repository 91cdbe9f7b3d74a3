/** @module The real RemoteStore: client.crt/.key and servercerts/ in the config dir, TLS and unix connections. */
import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { selfSignedCertificateArgs } from '@corral/api'
import {
  connectTls,
  connectUnix,
  defaultSocketPath,
  fetchServerCertificate,
  type Client,
  type ConnectOptions,
} from '@corral/client'
import type { DialOptions, RemoteStore } from '../context.js'

const run = promisify(execFile)

/** The client certificate and key (PEM), when they exist. */
export interface ClientCertificate {
  cert: string
  key: string
}

/** Paths of the client certificate, its key and the pinned server certificates under a config dir. */
export function certPaths(dir: string): { cert: string; key: string; servercerts: string } {
  return {
    cert: path.join(dir, 'client.crt'),
    key: path.join(dir, 'client.key'),
    servercerts: path.join(dir, 'servercerts'),
  }
}

async function readOrUndefined(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** Reads the client certificate and key, if both exist. */
export async function loadClientCertificate(dir: string): Promise<ClientCertificate | undefined> {
  const p = certPaths(dir)
  const [cert, key] = await Promise.all([readOrUndefined(p.cert), readOrUndefined(p.key)])
  return cert && key ? { cert, key } : undefined
}

/** Creates an ECDSA P-384 self-signed client certificate (CN user@host, ten years), key mode 0600. */
export async function generateClientCertificate(dir: string): Promise<void> {
  const p = certPaths(dir)
  await fs.mkdir(dir, { recursive: true, mode: 0o700 })
  const tmpKey = `${p.key}.${process.pid}.tmp`
  const tmpCert = `${p.cert}.${process.pid}.tmp`
  try {
    await run(
      'openssl',
      selfSignedCertificateArgs({
        subject: `/O=Corral/CN=${os.userInfo().username}@${os.hostname()}`,
        days: 3650,
        keyFile: tmpKey,
        certFile: tmpCert,
      }),
    )
    await fs.chmod(tmpKey, 0o600)
    await fs.rename(tmpKey, p.key)
    await fs.rename(tmpCert, p.cert)
  } finally {
    await fs.rm(tmpKey, { force: true })
    await fs.rm(tmpCert, { force: true })
  }
}

/** Connects to an address: `unix://[path]` (empty path: the default socket) or `https://host:port`. */
export async function dialAddress(
  dir: string,
  addr: string,
  opts: DialOptions & ConnectOptions & { env: NodeJS.ProcessEnv },
): Promise<Client> {
  const { env, serverCert, authenticate, ...connectOpts } = opts
  if (addr.startsWith('unix:')) {
    const socket = addr.replace(/^unix:(\/\/)?/, '') || defaultSocketPath(env)
    return connectUnix(socket, connectOpts)
  }
  const client = authenticate ? await loadClientCertificate(dir) : undefined
  const tls = { clientCert: client?.cert, clientKey: client?.key, serverCert }
  return connectTls(addr, tls, connectOpts)
}

/** The RemoteStore over the config dir `dir`. */
export function fileRemoteStore(dir: string, env: NodeJS.ProcessEnv): RemoteStore {
  const p = certPaths(dir)
  const certFile = (remote: string): string => path.join(p.servercerts, `${remote}.crt`)
  return {
    fetchCertificate: (url) => fetchServerCertificate(url),
    serverCert: (remote) => readOrUndefined(certFile(remote)),
    async pinServerCert(remote, pem) {
      await fs.mkdir(p.servercerts, { recursive: true, mode: 0o750 })
      await fs.writeFile(certFile(remote), pem, { mode: 0o644 })
    },
    async unpinServerCert(remote) {
      await fs.rm(certFile(remote), { force: true })
    },
    async renameServerCert(from, to) {
      try {
        await fs.rename(certFile(from), certFile(to))
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
    },
    async ensureClientCertificate() {
      if (await loadClientCertificate(dir)) return false
      await generateClientCertificate(dir)
      return true
    },
    dial: (addr, opts) => dialAddress(dir, addr, { ...opts, env }),
  }
}
