/** @module /1.0/images and /1.0/images/aliases: list, get, update, delete, import (raw upload), export. */
import type { Image, ImageAliasesEntry, ImagePut, ImagesPost, Operation } from '@corral/api'
import { operationId } from './operations.js'
import { runOperation, waitOperation, type ProgressHandler } from './operation-wait.js'
import { parseEnvelope, type Requester } from './requester.js'

/** What an upload sends: one unified tarball, or a multipart body with its boundary. */
export interface ImageUpload {
  /** The request body (a unified tarball, or the multipart form). */
  body: Buffer | NodeJS.ReadableStream
  /** `application/octet-stream`, or `multipart/form-data; boundary=...`. */
  contentType: string
  /** Body length when known. */
  length?: number
  /** X-LXD-* headers (public, filename, properties). */
  headers: Record<string, string>
}

/** Image endpoints bound to one requester. */
export interface ImagesApi {
  /** GET /1.0/images?recursion=1. */
  list(): Promise<Image[]>
  /** GET /1.0/images/{fingerprint}, with its ETag. */
  get(fingerprint: string): Promise<{ image: Image; etag?: string }>
  /** PUT /1.0/images/{fingerprint}. */
  put(fingerprint: string, body: ImagePut, etag?: string): Promise<void>
  /** DELETE /1.0/images/{fingerprint} and waits. */
  delete(fingerprint: string): Promise<void>
  /** POST /1.0/images with a raw body; resolves to the new fingerprint. */
  upload(upload: ImageUpload, onProgress?: ProgressHandler): Promise<string>
  /** POST /1.0/images with a JSON body (a pull from another server) and waits; resolves to the fingerprint. */
  create(body: ImagesPost, onProgress?: ProgressHandler): Promise<string>
  /** POST /1.0/images/{fingerprint}/secret: a single-use secret that lets another server fetch a private image. */
  secret(fingerprint: string): Promise<string>
  /** GET /1.0/images/{fingerprint}/export: the file(s) and their names. */
  export(fingerprint: string): Promise<{ body: Buffer; contentType: string; disposition: string }>
  /** GET /1.0/images/aliases?recursion=1. */
  aliases(): Promise<ImageAliasesEntry[]>
  /** GET /1.0/images/aliases/{name}. */
  alias(name: string): Promise<ImageAliasesEntry>
  /** POST /1.0/images/aliases. */
  createAlias(name: string, target: string, description?: string): Promise<void>
  /** DELETE /1.0/images/aliases/{name}. */
  deleteAlias(name: string): Promise<void>
  /** POST /1.0/images/aliases/{name} with the new name. */
  renameAlias(name: string, newName: string): Promise<void>
}

const path = (fp: string): string => `/1.0/images/${encodeURIComponent(fp)}`
const aliasPath = (name: string): string => `/1.0/images/aliases/${encodeURIComponent(name)}`

/** Builds the image endpoints. */
export function imagesApi(r: Requester): ImagesApi {
  return {
    async list() {
      return (await r.call<Image[]>('GET', '/1.0/images?recursion=1')).metadata ?? []
    },
    async get(fp) {
      const { metadata, etag } = await r.call<Image>('GET', path(fp))
      return { image: metadata, etag }
    },
    async put(fp, body, etag) {
      await r.call('PUT', path(fp), body, { etag })
    },
    async delete(fp) {
      await runOperation(r, 'DELETE', path(fp))
    },
    async upload(upload, onProgress) {
      const headers: Record<string, string> = { ...upload.headers, 'Content-Type': upload.contentType }
      if (upload.length !== undefined) headers['Content-Length'] = String(upload.length)
      const res = await r.transport.raw({
        method: 'POST',
        path: r.scoped('/1.0/images'),
        headers,
        body: upload.body,
      })
      const env = parseEnvelope<unknown>(res.body.toString(), res.status)
      if (env.type !== 'async') throw new Error('Expected an operation from the image upload')
      const op = await waitOperation(r, operationId(env.operation), onProgress)
      const fp = op.metadata?.fingerprint
      return typeof fp === 'string' ? fp : ''
    },
    async create(body, onProgress) {
      const op = await runOperation(r, 'POST', '/1.0/images', body, { onProgress })
      const fp = op?.metadata?.fingerprint
      return typeof fp === 'string' ? fp : ''
    },
    async secret(fp) {
      const res = await r.send<Operation>('POST', `${path(fp)}/secret`, {})
      const secret = res.envelope.type === 'async' ? res.envelope.metadata?.metadata?.secret : undefined
      if (typeof secret !== 'string') throw new Error('The server returned no image secret')
      return secret
    },
    async export(fp) {
      const res = await r.transport.raw({ method: 'GET', path: r.scoped(`${path(fp)}/export`) })
      if (res.status >= 400) parseEnvelope(res.body.toString(), res.status)
      return {
        body: res.body,
        contentType: String(res.headers['content-type'] ?? ''),
        disposition: String(res.headers['content-disposition'] ?? ''),
      }
    },
    async aliases() {
      return (await r.call<ImageAliasesEntry[]>('GET', '/1.0/images/aliases?recursion=1')).metadata ?? []
    },
    async alias(name) {
      return (await r.call<ImageAliasesEntry>('GET', aliasPath(name))).metadata
    },
    async createAlias(name, target, description = '') {
      await r.call('POST', '/1.0/images/aliases', { description, target, name, type: '' })
    },
    async deleteAlias(name) {
      await r.call('DELETE', aliasPath(name))
    },
    async renameAlias(name, newName) {
      await r.call('POST', aliasPath(name), { name: newName })
    },
  }
}
