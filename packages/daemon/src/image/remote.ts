/** @module Pulling an image from another LXD-protocol server over TLS, pinned to its certificate. */
import { X509Certificate } from 'node:crypto'
import { once } from 'node:events'
import type { IncomingMessage } from 'node:http'
import { request } from 'node:https'
import { connect, type TLSSocket } from 'node:tls'
import { badRequest, type Image } from '@corral/api'
import * as db from '../db/images.js'
import type { LiveOperation } from '../operation/operation.js'
import type { State } from '../state.js'
import { createAlias } from './aliases.js'
import { imageProject } from './service.js'
import { checkUpload, storeUpload, type ImportOptions } from './import.js'
import { receiveUpload } from './upload.js'

/** Where an image comes from: LXD's `source` of POST /1.0/images and /1.0/instances with a `server`. */
export interface RemoteImageSource {
  /** `https://host[:port]`. */
  server: string
  /** The server's certificate (PEM) to pin; without it the system CAs decide. */
  certificate: string
  /** Alias or fingerprint (prefix) on the source; LXD's client sends an alias as `fingerprint` too. */
  ref: string
  /** The project on the source server. */
  project: string
  /** An image secret from the source server, for a private image. */
  secret: string
}

const connectTimeoutMs = 30_000
/** The largest JSON answer read from an image server, and how long reading one may take. */
export const maxJsonBytes = 4 << 20
const jsonDeadlineMs = 60_000
/** What a download may exceed the announced image size by (multipart headers of a split image). */
const exportOverheadBytes = 1 << 20

/** Reads the remote half of a `source` object; 400 for what we cannot fetch. */
export function parseRemoteSource(src: Record<string, unknown>): RemoteImageSource {
  const field = (name: string): string => {
    const v = src[name]
    if (v === undefined || v === null) return ''
    if (typeof v !== 'string') throw badRequest(`Invalid value for field "source.${name}": must be a string`)
    return v
  }
  const protocol = field('protocol') || 'lxd'
  if (protocol !== 'lxd')
    throw badRequest(`Image server protocol "${protocol}" is not supported (only "lxd")`)
  const mode = field('mode') || 'pull'
  if (mode !== 'pull') throw badRequest(`Image source mode "${mode}" is not supported (only "pull")`)
  let url: URL
  try {
    url = new URL(field('server'))
  } catch {
    throw badRequest(`Invalid image server "${field('server')}"`)
  }
  if (url.protocol !== 'https:')
    throw badRequest(`Invalid image server "${field('server')}": must be https://`)
  const certificate = field('certificate')
  if (certificate) {
    try {
      new X509Certificate(certificate)
    } catch {
      throw badRequest('Invalid image server certificate')
    }
  }
  const ref = field('alias') || field('fingerprint')
  if (!ref) throw badRequest('Image source needs an alias or a fingerprint')
  return { server: url.origin, certificate, ref, project: field('project'), secret: field('secret') }
}

/** Opens a TLS connection and refuses it before any byte is sent unless the peer is the pinned certificate. */
async function pinnedSocket(host: string, port: number, pinned: Buffer): Promise<TLSSocket> {
  const socket = connect({ host, port, rejectUnauthorized: false, minVersion: 'TLSv1.2', servername: '' })
  socket.setTimeout(connectTimeoutMs, () => socket.destroy(new Error('Connection timed out')))
  try {
    await once(socket, 'secureConnect')
  } catch (err) {
    socket.destroy()
    throw err
  }
  const peer = socket.getPeerCertificate()
  if (!peer?.raw || !peer.raw.equals(pinned)) {
    socket.destroy()
    throw new Error("The server's certificate does not match the expected one")
  }
  socket.setTimeout(0)
  return socket
}

/** One GET on the source server; the response is returned unread. */
async function get(src: RemoteImageSource, path: string): Promise<IncomingMessage> {
  const url = new URL(path, src.server)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const port = Number(url.port || 8443)
  const pinned = src.certificate ? new X509Certificate(src.certificate).raw : undefined
  const socket = pinned ? await pinnedSocket(host, port, pinned) : undefined
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port,
        path: url.pathname + url.search,
        method: 'GET',
        headers: { 'User-Agent': 'corral' },
        timeout: connectTimeoutMs,
        minVersion: 'TLSv1.2',
        // With no agent, node uses createConnection: our socket, already checked against the pin.
        ...(socket ? { createConnection: () => socket } : { agent: false }),
      },
      resolve,
    )
    req.on('timeout', () => req.destroy(new Error('Connection timed out')))
    req.on('error', reject)
    req.end()
  })
}

/** GETs a JSON envelope and returns its metadata, or throws with the server's error. */
async function getJson<T>(src: RemoteImageSource, path: string): Promise<T> {
  const res = await get(src, path)
  const chunks: Buffer[] = []
  let size = 0
  // A JSON answer is small; a server that keeps sending is cut off, never buffered without bound.
  const deadline = setTimeout(() => res.destroy(new Error('Response took too long')), jsonDeadlineMs)
  try {
    for await (const chunk of res) {
      size += (chunk as Buffer).length
      if (size > maxJsonBytes) {
        res.destroy()
        throw new Error(`Response from ${src.server}${path} is larger than ${maxJsonBytes >> 20} MiB`)
      }
      chunks.push(chunk as Buffer)
    }
  } finally {
    clearTimeout(deadline)
  }
  let envelope: { type?: string; error?: string; metadata?: unknown }
  try {
    envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof envelope
  } catch {
    throw new Error(`Invalid response from ${src.server}${path} (HTTP ${res.statusCode ?? 0})`)
  }
  if (envelope.type === 'error' || (res.statusCode ?? 0) >= 400)
    throw new Error(envelope.error || 'Unknown error')
  return envelope.metadata as T
}

/** A path on the source with its project and the image secret, when there are any. */
function sourcePath(src: RemoteImageSource, path: string, secret = false): string {
  const query = new URLSearchParams()
  if (src.project && src.project !== 'default') query.set('project', src.project)
  if (secret && src.secret) query.set('secret', src.secret)
  const q = query.toString()
  return q ? `${path}?${q}` : path
}

/** Resolves the source to the remote image's description: the reference as an alias first, as LXD does. */
export async function remoteImageInfo(src: RemoteImageSource): Promise<Image> {
  let fingerprint = src.ref
  try {
    const alias = await getJson<{ target: string }>(
      src,
      sourcePath(src, `/1.0/images/aliases/${encodeURIComponent(src.ref)}`),
    )
    fingerprint = alias.target
  } catch {
    // Not an alias (or not one we may see): try it as a fingerprint.
  }
  let info: Image
  try {
    info = await getJson<Image>(src, sourcePath(src, `/1.0/images/${encodeURIComponent(fingerprint)}`, true))
  } catch (err) {
    throw new Error(`Failed getting image "${src.ref}" from ${src.server}: ${(err as Error).message}`, {
      cause: err,
    })
  }
  // The answer names files and bounds the download: it must be a fingerprint and a size.
  if (typeof info?.fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(info.fingerprint))
    throw new Error(`Invalid image description from ${src.server}: bad fingerprint`)
  if (!Number.isSafeInteger(info.size) || info.size <= 0)
    throw new Error(`Invalid image description from ${src.server}: bad size`)
  const props = info.properties ?? {}
  if (typeof props !== 'object' || Object.values(props).some((v) => typeof v !== 'string'))
    throw new Error(`Invalid image description from ${src.server}: bad properties`)
  if (typeof info.filename !== 'string') info.filename = ''
  return info
}

/**
 * Downloads the remote image and stores it like an upload (same checks, fingerprint verified
 * against the one the server announced); returns the operation result.
 */
export async function pullImage(
  state: State,
  src: RemoteImageSource,
  info: Image,
  opts: ImportOptions,
): Promise<Record<string, unknown>> {
  const res = await get(src, sourcePath(src, `/1.0/images/${info.fingerprint}/export`, true))
  if ((res.statusCode ?? 0) >= 400) {
    res.resume()
    throw new Error(
      `Failed downloading image "${info.fingerprint}" from ${src.server}: HTTP ${res.statusCode ?? 0}`,
    )
  }
  const limit = info.size + exportOverheadBytes
  async function* bounded(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let received = 0
    for await (const chunk of body) {
      received += chunk.length
      if (received > limit) {
        res.destroy()
        throw new Error(
          `Failed downloading image "${info.fingerprint}" from ${src.server}: larger than the ${info.size} bytes announced`,
        )
      }
      yield chunk
    }
  }
  const staged = await receiveUpload(state, bounded(res as AsyncIterable<Buffer>), res.headers)
  const checked = await checkUpload(state, staged, { ...opts, expectedFingerprint: info.fingerprint })
  return storeUpload(state, checked, opts)
}

/** An alias to create once the image is here (LXD's `aliases` of POST /1.0/images). */
export interface NewAlias {
  name: string
  description: string
}

/** The fingerprint of a local copy of the remote image, pulling it first when there is none. */
export async function localCopy(
  state: State,
  src: RemoteImageSource,
  opts: ImportOptions,
): Promise<{ fingerprint: string; size: number }> {
  const info = await remoteImageInfo(src)
  const project = imageProject(state, opts.project)
  if (db.findImagesByPrefix(state.db, project, info.fingerprint).length === 0) {
    const key = `${project}/${info.fingerprint}`
    // Two creates from one new image share a single download.
    let pending = inflight.get(key)
    if (!pending) {
      pending = pullImage(state, src, info, {
        ...opts,
        filename: info.filename,
        properties: { ...info.properties, ...opts.properties },
      }).finally(() => inflight.delete(key))
      inflight.set(key, pending)
    }
    await pending
  }
  return { fingerprint: info.fingerprint, size: info.size }
}

const inflight = new Map<string, Promise<unknown>>()

/** POST /1.0/images from a remote server: an operation that downloads, stores and aliases the image. */
export function pullImageOperation(
  state: State,
  src: RemoteImageSource,
  opts: ImportOptions,
  aliases: readonly NewAlias[],
): LiveOperation {
  return state.operations.create({
    project: imageProject(state, opts.project),
    class: 'task',
    description: 'Downloading image',
    requestor: opts.requestor,
    run: async (ctx) => {
      ctx.setMetadata({ progress: { stage: 'download', percent: '0' } })
      const { fingerprint, size } = await localCopy(state, src, opts)
      for (const alias of aliases)
        createAlias(state, alias.name, { target: fingerprint, description: alias.description }, opts)
      return { fingerprint, size: String(size), progress: { stage: 'done', percent: '100' } }
    },
  })
}
