/** @module Image export: the stored file as a download, or metadata + rootfs as multipart, as LXD sends them. */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import type { ImageRecord } from '../db/images.js'
import type { State } from '../state.js'
import { imageFile, isSplit, rootfsFile } from './store.js'
import { detectExtension } from './tar.js'

/** One file of an export: its multipart part name, path on disk and download name. */
export interface ExportFile {
  identifier: string
  path: string
  filename: string
}

/** The files an export sends, named `<fp><ext>` (and `meta-<fp><ext>` for a split image's metadata). */
export async function exportFiles(state: State, image: ImageRecord): Promise<ExportFile[]> {
  const fp = image.fingerprint
  const meta = imageFile(state, fp)
  const metaName = `${fp}${await detectExtension(meta)}`
  if (!isSplit(state, fp)) return [{ identifier: metaName, path: meta, filename: metaName }]
  const rootfs = rootfsFile(state, fp)
  return [
    { identifier: 'metadata', path: meta, filename: `meta-${metaName}` },
    { identifier: 'rootfs', path: rootfs, filename: `${fp}${await detectExtension(rootfs)}` },
  ]
}

/** Streams the files to the response: one as an attachment, several as multipart/form-data. */
export async function sendFiles(res: ServerResponse, files: readonly ExportFile[]): Promise<void> {
  const sizes = await Promise.all(files.map(async (f) => (await stat(f.path)).size))
  if (files.length === 1) {
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': sizes[0],
      'Content-Disposition': `attachment; filename=${files[0]!.filename}`,
    })
    await pipeline(createReadStream(files[0]!.path), res)
    return
  }
  const boundary = randomBytes(30).toString('hex')
  const heads = files.map((f, i) =>
    Buffer.from(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Disposition: form-data; name="${f.identifier}"; filename="${f.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const length = heads.reduce((n, h) => n + h.length, 0) + sizes.reduce((n, s) => n + s, 0) + tail.length
  res.writeHead(200, {
    'Content-Type': `multipart/form-data; boundary=${boundary}`,
    'Content-Length': length,
  })
  await pipeline(async function* () {
    for (const [i, f] of files.entries()) {
      yield heads[i]!
      yield* createReadStream(f.path) as AsyncIterable<Buffer>
    }
    yield tail
  }, res)
}
