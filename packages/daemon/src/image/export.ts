/** @module Image export: the stored file as a download, or metadata + rootfs as multipart, as LXD sends them. */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
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

/** A file download: headers and a body stream, one file as an attachment, several as multipart/form-data. */
export interface ExportBody {
  headers: Record<string, string>
  body: Readable
}

/** The body and headers of an export, as LXD sends them. */
export async function exportBody(files: readonly ExportFile[]): Promise<ExportBody> {
  const sizes = await Promise.all(files.map(async (f) => (await stat(f.path)).size))
  if (files.length === 1) {
    return {
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(sizes[0]),
        'Content-Disposition': `attachment; filename=${files[0]!.filename}`,
      },
      body: createReadStream(files[0]!.path),
    }
  }
  const boundary = randomBytes(30).toString('hex')
  const heads = files.map((f, i) =>
    Buffer.from(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Disposition: form-data; name="${f.identifier}"; filename="${f.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const length = heads.reduce((n, h) => n + h.length, 0) + sizes.reduce((n, s) => n + s, 0) + tail.length
  async function* parts(): AsyncGenerator<Buffer> {
    for (const [i, f] of files.entries()) {
      yield heads[i]!
      yield* createReadStream(f.path) as AsyncIterable<Buffer>
    }
    yield tail
  }
  return {
    headers: {
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Content-Length': String(length),
    },
    body: Readable.from(parts()),
  }
}
