/** @module Publishing: a stopped instance or a snapshot becomes an image (metadata.yaml, templates/, rootfs/), stored as any upload. */
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { badRequest, type Requestor } from '@corral/api'
import { parse, stringify } from 'yaml'
import { tarCompressionArgs } from '../config/compression.js'
import { compressionFor } from '../config/compression-choice.js'
import * as db from '../db/instances.js'
import { createAlias, type NewAlias } from '../image/index.js'
import { checkUpload, storeUpload } from '../image/import.js'
import { checkImageProperties } from '../image/metadata.js'
import { makeStaging } from '../image/store.js'
import type { StagedUpload } from '../image/upload.js'
import type { LiveOperation } from '../operation/operation.js'
import type { State } from '../state.js'
import { loadPool } from '../storage/index.js'
import { runtimeState } from './lxc/runtime.js'
import { instanceLock, lockKey } from './service.js'

/** What POST /1.0/images with an instance or snapshot source asks for. */
export interface PublishRequest {
  project: string
  requestor: Requestor
  instance: string
  snapshot?: string
  /** The image's properties; undefined keeps those of the instance's metadata.yaml. */
  properties?: Record<string, string>
  public: boolean
  filename: string
  aliases: readonly NewAlias[]
  /** Unix seconds, 0 for none. */
  expiresAt: number
  /** An algorithm name; '' for the server's images.compression_algorithm. */
  compression: string
}

/** The source volume's path; 400 when the instance runs (LXD exports only a stopped one). */
async function sourcePath(state: State, req: PublishRequest): Promise<{ path: string; arch: string }> {
  const inst = db.getInstance(state.db, req.project, req.instance)
  const pool = loadPool(state, inst.pool)
  if (req.snapshot) {
    const snap = db.getSnapshot(state.db, inst.id, req.snapshot)
    return { path: pool.snapshotPath(inst.project, inst.name, snap.name), arch: inst.architecture }
  }
  if ((await runtimeState(state, inst)).status !== 'Stopped')
    throw badRequest('Cannot export a running instance as an image')
  return { path: pool.instancePath(inst.project, inst.name), arch: inst.architecture }
}

/** The published metadata.yaml: the volume's own (templates kept), with this moment's date and the requested properties. */
async function metadataOf(volume: string, arch: string, req: PublishRequest): Promise<string> {
  const file = join(volume, 'metadata.yaml')
  let doc: Record<string, unknown> = {}
  if (existsSync(file)) {
    const parsed: unknown = parse(await readFile(file, 'utf8'))
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      doc = parsed as Record<string, unknown>
  }
  doc.architecture = arch
  doc.creation_date = Math.floor(Date.now() / 1000)
  if (req.properties) doc.properties = req.properties
  if (req.expiresAt > 0) doc.expiry_date = req.expiresAt
  else delete doc.expiry_date
  return stringify(doc)
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Validates a publish request (400 for a running instance or bad fields) before any operation exists. */
export async function validatePublish(state: State, req: PublishRequest): Promise<void> {
  if (req.properties) checkImageProperties(req.properties)
  tarCompressionArgs(req.compression || 'none')
  await sourcePath(state, req)
}

/** Publishes an instance or a snapshot as an image, in an operation that holds the instance's lock. */
export async function publishInstance(state: State, req: PublishRequest): Promise<LiveOperation> {
  await validatePublish(state, req)
  return state.operations.create({
    project: req.project,
    class: 'task',
    description: 'Publishing instance',
    requestor: req.requestor,
    run: (ctx) =>
      instanceLock.run(lockKey(req.project, req.instance), async () => {
        ctx.setMetadata({ create_image_from_container_pack_progress: 'Image pack: 0%' })
        const { path, arch } = await sourcePath(state, req)
        const algorithm = compressionFor(state, req.project, 'images.compression_algorithm', req.compression)
        const dir = await makeStaging(state, randomUUID())
        const discard = () => rm(dir, { recursive: true, force: true })
        try {
          await writeFile(join(dir, 'metadata.yaml'), await metadataOf(path, arch, req), { mode: 0o600 })
          const out = join(dir, 'image')
          const parts = ['rootfs', ...(existsSync(join(path, 'templates')) ? ['templates'] : [])]
          await state.host.run(
            'tar',
            [
              ...tarCompressionArgs(algorithm),
              '--numeric-owner',
              '--xattrs',
              '--xattrs-include=*',
              '--sparse',
              '-cf',
              out,
              '-C',
              dir,
              'metadata.yaml',
              '-C',
              path,
              ...parts,
            ],
            { timeoutMs: 3_600_000 },
          )
          const staged: StagedUpload = {
            dir,
            metadata: out,
            fingerprint: await sha256File(out),
            size: (await stat(out)).size,
            partFilename: '',
            discard,
          }
          const opts = {
            project: req.project,
            requestor: req.requestor,
            public: req.public,
            filename: req.filename,
            properties: {},
          }
          const result = await storeUpload(state, await checkUpload(state, staged, opts), opts)
          for (const alias of req.aliases)
            createAlias(
              state,
              alias.name,
              { target: staged.fingerprint, description: alias.description },
              opts,
            )
          return result
        } finally {
          await discard()
        }
      }),
  })
}
