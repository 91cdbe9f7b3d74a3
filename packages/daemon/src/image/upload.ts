/** @module Receives an image upload onto disk as it streams: a raw tarball or multipart metadata + rootfs. */
import { createHash, randomUUID, type Hash } from 'node:crypto'
import { createWriteStream, type WriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import type { IncomingHttpHeaders } from 'node:http'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { badRequest } from '@corral/api'
import type { State } from '../state.js'
import { multipartBoundary, readMultipart, type PartSink } from './multipart.js'
import { makeStaging } from './store.js'

/** An upload on disk in its staging directory, with its fingerprint and total size. */
export interface StagedUpload {
  dir: string
  metadata: string
  rootfs?: string
  fingerprint: string
  size: number
  /** The client's file name for the metadata/unified part (multipart only). */
  partFilename: string
  /** Removes the staging directory. */
  discard(): Promise<void>
}

function drained(stream: WriteStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off('drain', done)
      stream.off('error', done)
      if (err) reject(err)
      else resolve()
    }
    stream.on('drain', done)
    stream.on('error', done)
  })
}

function fileSink(path: string, hash: Hash, count: (n: number) => void): PartSink {
  const stream = createWriteStream(path, { mode: 0o600 })
  let failure: Error | undefined
  stream.on('error', (err) => (failure = err))
  return {
    async write(chunk) {
      if (failure) throw failure
      if (chunk.length === 0) return
      hash.update(chunk)
      count(chunk.length)
      if (!stream.write(chunk)) await drained(stream)
    },
    end: () =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure)
        stream.once('error', reject)
        stream.end(resolve)
      }),
  }
}

/** Streams the request body into a staging directory; the fingerprint is sha256 of metadata then rootfs. */
export async function receiveUpload(
  state: State,
  body: AsyncIterable<Buffer>,
  headers: IncomingHttpHeaders,
): Promise<StagedUpload> {
  const dir = await makeStaging(state, randomUUID())
  const discard = () => rm(dir, { recursive: true, force: true })
  const hash = createHash('sha256')
  let size = 0
  const count = (n: number) => (size += n)
  const metadata = join(dir, 'metadata')
  try {
    const boundary = multipartBoundary(headers['content-type'])
    if (!boundary) {
      await pipeline(
        body,
        async function* (src: AsyncIterable<Buffer>) {
          for await (const chunk of src) {
            hash.update(chunk)
            count(chunk.length)
            yield chunk
          }
        },
        createWriteStream(metadata, { mode: 0o600 }),
      )
      if (size === 0) throw badRequest('Invalid image archive: the upload is empty')
      return { dir, metadata, fingerprint: hash.digest('hex'), size, partFilename: '', discard }
    }
    const seen: string[] = []
    let partFilename = ''
    await readMultipart(body, boundary, (part) => {
      const expected = seen.length === 0 ? 'metadata' : 'rootfs'
      if (part.name === 'rootfs.img') throw badRequest('Virtual machine images are not supported')
      if (part.name !== expected || seen.length > 1)
        throw badRequest(`Invalid multipart image: expected a part named "${expected}", got "${part.name}"`)
      if (expected === 'metadata') partFilename = part.filename
      seen.push(part.name)
      return fileSink(join(dir, part.name), hash, count)
    })
    if (seen.length !== 2)
      throw badRequest('Invalid multipart image: both "metadata" and "rootfs" parts are required')
    return {
      dir,
      metadata,
      rootfs: join(dir, 'rootfs'),
      fingerprint: hash.digest('hex'),
      size,
      partFilename,
      discard,
    }
  } catch (err) {
    await discard()
    throw err
  }
}
