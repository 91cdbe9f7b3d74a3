/** @module Image import: validate a staged upload, then store its files and row in an operation. */
import { chmod, rename } from 'node:fs/promises'
import { badRequest, conflict, type ImageMetadata, type Requestor } from '@corral/api'
import * as db from '../db/images.js'
import { entityUrl, publishLifecycle } from '../events/lifecycle.js'
import type { LiveOperation } from '../operation/operation.js'
import type { State } from '../state.js'
import { checkImageProperties, parseImageMetadata } from './metadata.js'
import { listSquashfs } from './squashfs.js'
import { imageProject } from './service.js'
import { imageFile, removeImageFiles, rootfsFile } from './store.js'
import {
  checkMembers,
  detectExtension,
  listTar,
  normalizeMember,
  readMember,
  type ArchiveKind,
} from './tar.js'
import type { StagedUpload } from './upload.js'

/** What the client asked for besides the files (LXD's X-LXD-* headers). */
export interface ImportOptions {
  project: string
  requestor: Requestor
  public: boolean
  filename: string
  properties: Record<string, string>
  profiles?: string[]
  /** The fingerprint the client expects (X-LXD-fingerprint), if any. */
  expectedFingerprint?: string
}

/** Lists an archive (a squashfs only as a split image's rootfs), checks its members, and returns their names. */
async function checkedMembers(state: State, file: string, kind: ArchiveKind): Promise<string[]> {
  const squashfs = (await detectExtension(file)) === '.squashfs'
  if (squashfs && kind !== 'rootfs')
    throw badRequest('Invalid image archive: only the rootfs of a split image may be a squashfs')
  const members = squashfs ? await listSquashfs(state, file) : await listTar(state, file)
  checkMembers(members, kind)
  return members.map((m) => m.name)
}

/** Validates a staged upload: readable archives, safe paths, a metadata.yaml with a valid architecture. */
export async function validateUpload(state: State, staged: StagedUpload): Promise<ImageMetadata> {
  const names = await checkedMembers(state, staged.metadata, staged.rootfs ? 'metadata' : 'unified')
  const meta = names.find((n) => normalizeMember(n) === 'metadata.yaml')
  if (!meta) throw badRequest('Invalid image archive: metadata.yaml is missing')
  if (staged.rootfs) await checkedMembers(state, staged.rootfs, 'rootfs')
  // A rootfs/ with no entry of its own is made by tar from its members' paths, as LXD accepts it.
  else if (!names.some((n) => /^rootfs(\/|$)/.test(normalizeMember(n))))
    throw badRequest('Invalid image archive: the rootfs/ directory is missing')
  return parseImageMetadata(await readMember(state, staged.metadata, meta))
}

/** An upload that passed validation, ready to be stored. */
export interface CheckedUpload {
  staged: StagedUpload
  meta: ImageMetadata
  project: string
  url: string
}

/** Validates an upload; on failure it is discarded and the error (400/409) thrown. */
export async function checkUpload(
  state: State,
  staged: StagedUpload,
  opts: ImportOptions,
): Promise<CheckedUpload> {
  try {
    checkImageProperties(opts.properties)
    if (opts.expectedFingerprint && opts.expectedFingerprint !== staged.fingerprint)
      throw badRequest(
        `Fingerprints don't match, got ${staged.fingerprint} expected ${opts.expectedFingerprint}`,
      )
    const project = imageProject(state, opts.project)
    if (db.findImagesByPrefix(state.db, project, staged.fingerprint).length > 0)
      throw conflict('Image with same fingerprint already exists')
    const meta = await validateUpload(state, staged)
    return { staged, meta, project, url: entityUrl(`/1.0/images/${staged.fingerprint}`, project) }
  } catch (err) {
    await staged.discard()
    throw err
  }
}

/** Stores a checked upload: files, then the row; returns the operation result LXD reports. */
export async function storeUpload(
  state: State,
  { staged, meta, project, url }: CheckedUpload,
  opts: ImportOptions,
): Promise<Record<string, unknown>> {
  try {
    await storeFiles(state, staged)
    insertRow(state, project, staged, () => ({
      fingerprint: staged.fingerprint,
      filename: opts.filename || staged.partFilename,
      size: staged.size,
      public: opts.public,
      autoUpdate: false,
      architecture: meta.architecture,
      type: 'container',
      createdAt: meta.creation_date > 0 ? new Date(meta.creation_date * 1000).toISOString() : '',
      expiresAt: meta.expiry_date > 0 ? new Date(meta.expiry_date * 1000).toISOString() : '',
      uploadedAt: new Date().toISOString(),
      properties: { ...meta.properties, ...opts.properties },
      profiles: opts.profiles ?? ['default'],
    }))
  } finally {
    await staged.discard()
  }
  publishLifecycle(state.events, 'image-created', url, {
    project,
    requestor: opts.requestor,
    context: { type: 'container' },
  })
  return {
    fingerprint: staged.fingerprint,
    size: String(staged.size),
    progress: { stage: 'done', percent: '100' },
  }
}

/** Validates an upload (400 and nothing kept on failure), then stores it in an operation. */
export async function importImage(
  state: State,
  staged: StagedUpload,
  opts: ImportOptions,
): Promise<LiveOperation> {
  const checked = await checkUpload(state, staged, opts)
  return state.operations.create({
    project: checked.project,
    class: 'task',
    description: 'Downloading image',
    resources: { images: [checked.url] },
    requestor: opts.requestor,
    run: (ctx) => {
      ctx.setMetadata({ progress: { stage: 'store', percent: '50' } })
      return storeUpload(state, checked, opts)
    },
  })
}

/** Inserts the row; removes the stored files again when that fails and no other project holds them. */
function insertRow(state: State, project: string, staged: StagedUpload, row: () => db.NewImage): void {
  try {
    db.createImage(state.db, project, row())
  } catch (err) {
    if (db.countImageFingerprint(state.db, staged.fingerprint) === 0)
      void removeImageFiles(state, staged.fingerprint)
    throw err
  }
}

async function storeFiles(state: State, staged: StagedUpload): Promise<void> {
  const target = imageFile(state, staged.fingerprint)
  await chmod(staged.metadata, 0o600)
  await rename(staged.metadata, target)
  if (staged.rootfs) {
    await chmod(staged.rootfs, 0o600)
    await rename(staged.rootfs, rootfsFile(state, staged.fingerprint))
  }
}
