/** @module Images: lookup, wire form, edits and deletion, with lifecycle events. */
import type { Image, ImagePut, Requestor } from '@corral/api'
import { badRequest, notFound } from '@corral/api'
import { isTrue } from '../config/validate.js'
import * as db from '../db/images.js'
import { getProject } from '../db/projects.js'
import { entityUrl, publishLifecycle } from '../events/lifecycle.js'
import type { LiveOperation } from '../operation/operation.js'
import type { State } from '../state.js'
import { listPools } from '../storage/service.js'
import { loadPool } from '../storage/pool.js'
import { checkImageProperties } from './metadata.js'
import { removeImageFiles } from './store.js'

export type { ImageRecord, AliasRecord } from '../db/images.js'

/** Go's zero time, which LXD renders for "never". */
export const zeroTime = '0001-01-01T00:00:00Z'

/** Options shared by the write operations. */
export interface WriteOptions {
  project: string
  requestor: Requestor
}

/** The project whose images a project uses: itself, or `default` when features.images is off. */
export function imageProject(state: State, project: string): string {
  const p = getProject(state.db, project)
  return isTrue(p.config['features.images']) ? p.name : 'default'
}

/** The wire form of a stored image. */
export function toApiImage(state: State, r: db.ImageRecord): Image {
  return {
    aliases: db.aliasesOfImage(state.db, r.id).map((a) => ({ name: a.name, description: a.description })),
    architecture: r.architecture,
    auto_update: r.autoUpdate,
    cached: false,
    fingerprint: r.fingerprint,
    filename: r.filename,
    properties: r.properties,
    public: r.public,
    expires_at: r.expiresAt || zeroTime,
    profiles: r.profiles,
    size: r.size,
    type: r.type,
    created_at: r.createdAt || zeroTime,
    last_used_at: r.lastUsedAt || zeroTime,
    uploaded_at: r.uploadedAt,
  }
}

/** The writable part of an image, whose hash is its ETag. */
export function imageEtagSource(r: db.ImageRecord): unknown {
  return [r.public, r.autoUpdate, r.properties]
}

/** Lists a project's images; untrusted callers see only public ones. */
export function listImages(state: State, project: string, publicOnly = false): db.ImageRecord[] {
  return db.listImages(state.db, imageProject(state, project)).filter((r) => !publicOnly || r.public)
}

/** Gets an image by fingerprint or unique fingerprint prefix; 404 `Image not found`. */
export function getImage(
  state: State,
  project: string,
  fingerprint: string,
  publicOnly = false,
): db.ImageRecord {
  if (!/^[0-9a-f]+$/i.test(fingerprint)) throw notFound('Image not found')
  const found = db.findImagesByPrefix(state.db, imageProject(state, project), fingerprint.toLowerCase())
  if (found.length > 1) throw badRequest('More than one image matches')
  const image = found[0]
  if (!image || (publicOnly && !image.public)) throw notFound('Image not found')
  return image
}

/** Resolves a fingerprint, fingerprint prefix or alias to an image (for instance creation); 404 `Image not found`. */
export function findImage(state: State, project: string, ref: string): db.ImageRecord {
  const proj = imageProject(state, project)
  const alias = db.findAlias(state.db, proj, ref)
  if (alias) return getImage(state, project, alias.target)
  return getImage(state, project, ref)
}

/** Replaces an image's writable fields from a PUT body (PATCH merges first). */
export function updateImage(state: State, current: db.ImageRecord, put: ImagePut, opts: WriteOptions): void {
  checkImageProperties(put.properties)
  db.updateImage(state.db, current.id, {
    public: put.public,
    autoUpdate: put.auto_update,
    expiresAt: put.expires_at === zeroTime ? '' : put.expires_at,
    properties: put.properties,
    profiles: put.profiles,
  })
  publishLifecycle(
    state.events,
    'image-updated',
    entityUrl(`/1.0/images/${current.fingerprint}`, current.project),
    {
      ...opts,
      project: current.project,
    },
  )
}

/** The PUT body equivalent of an image as it is now. */
export function currentPut(r: db.ImageRecord): ImagePut {
  return {
    public: r.public,
    auto_update: r.autoUpdate,
    expires_at: r.expiresAt || zeroTime,
    properties: r.properties,
    profiles: r.profiles,
  }
}

/** Records that an instance was just created from the image. */
export function markImageUsed(state: State, image: db.ImageRecord): void {
  db.touchImage(state.db, image.id, new Date().toISOString())
}

/** Deletes an image in an operation: its row and aliases, then its files once no project holds it. */
export function deleteImage(state: State, image: db.ImageRecord, opts: WriteOptions): LiveOperation {
  const url = `/1.0/images/${image.fingerprint}`
  return state.operations.create({
    project: image.project,
    class: 'task',
    description: 'Deleting image',
    resources: { images: [entityUrl(url, image.project)] },
    requestor: opts.requestor,
    run: async () => {
      db.deleteImage(state.db, image.id)
      if (db.countImageFingerprint(state.db, image.fingerprint) === 0) {
        await removeImageFiles(state, image.fingerprint)
        // Copy-on-write pools keep an unpacked copy of the image; instances made from it are
        // independent snapshots, so it can go too.
        for (const pool of listPools(state)) {
          await loadPool(state, pool.name)
            .deleteImageVolume(image.fingerprint)
            .catch((err: unknown) =>
              state.log.warn('Failed to drop cached image volume', { pool: pool.name, err: String(err) }),
            )
        }
      }
      publishLifecycle(state.events, 'image-deleted', entityUrl(url, image.project), {
        ...opts,
        project: image.project,
      })
    },
  })
}
