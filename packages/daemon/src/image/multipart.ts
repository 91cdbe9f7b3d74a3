/** @module A streaming multipart/form-data reader: parts go to sinks as they arrive, never whole in memory. */
import { badRequest } from '@corral/api'

/** Where one part's bytes go. */
export interface PartSink {
  write(chunk: Buffer): Promise<void>
  end(): Promise<void>
}

/** A part's name and filename from its Content-Disposition header. */
export interface PartInfo {
  name: string
  filename: string
}

/** The boundary of a `multipart/form-data; boundary=…` content type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return undefined
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  return m ? (m[1] ?? m[2]) : undefined
}

/** Parses a part's header block into its form name and filename. */
export function parsePartHeaders(block: string): PartInfo {
  const line = block.split('\r\n').find((l) => /^content-disposition:/i.test(l))
  if (!line) throw badRequest('Invalid multipart image: a part has no Content-Disposition header')
  const field = (key: string): string => {
    const m =
      new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(line) ??
      new RegExp(`;\\s*${key}=([^;\\s]+)`, 'i').exec(line)
    return m ? m[1]!.replace(/\\(.)/g, '$1') : ''
  }
  return { name: field('name'), filename: field('filename') }
}

/** The most a multipart body may send before its first boundary, and as one part's headers. */
export const maxPreamble = 64 * 1024
const maxPartHeaders = 16 * 1024

/** Reads a multipart body, handing each part's bytes to the sink `open` returns for it. */
export async function readMultipart(
  body: AsyncIterable<Buffer> | Iterable<Buffer>,
  boundary: string,
  open: (part: PartInfo) => PartSink,
): Promise<void> {
  const first = Buffer.from(`--${boundary}`)
  const delim = Buffer.from(`\r\n--${boundary}`)
  let buf: Buffer = Buffer.alloc(0)
  let state: 'preamble' | 'headers' | 'body' | 'after' | 'done' = 'preamble'
  let sink: PartSink | undefined
  let epilogue = 0
  for await (const chunk of body) {
    if (state === 'done') {
      // Drain a short epilogue so the socket stays usable; a sender that never stops is cut off.
      epilogue += chunk.length
      if (epilogue > maxPreamble) break
      continue
    }
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk
    for (;;) {
      if (state === 'preamble') {
        const i = buf.indexOf(first)
        if (i < 0) {
          // Clients send the boundary first; a body that never does is refused, not held in memory.
          if (buf.length > maxPreamble)
            throw badRequest('Invalid multipart image: no boundary in the first 64 KiB')
          break
        }
        buf = buf.subarray(i + first.length)
        state = 'after'
      } else if (state === 'after') {
        if (buf.length < 2) break
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          state = 'done'
          break
        }
        if (buf[0] !== 0x0d || buf[1] !== 0x0a)
          throw badRequest('Invalid multipart image: malformed boundary')
        buf = buf.subarray(2)
        state = 'headers'
      } else if (state === 'headers') {
        const i = buf.indexOf('\r\n\r\n')
        if (i < 0) {
          if (buf.length > maxPartHeaders) throw badRequest('Invalid multipart image: part headers too long')
          break
        }
        sink = open(parsePartHeaders(buf.subarray(0, i).toString('utf8')))
        buf = buf.subarray(i + 4)
        state = 'body'
      } else if (state === 'body') {
        const i = buf.indexOf(delim)
        if (i >= 0) {
          await sink!.write(buf.subarray(0, i))
          await sink!.end()
          sink = undefined
          buf = buf.subarray(i + delim.length)
          state = 'after'
        } else {
          const keep = delim.length - 1
          if (buf.length > keep) {
            await sink!.write(buf.subarray(0, buf.length - keep))
            buf = Buffer.from(buf.subarray(buf.length - keep))
          }
          break
        }
      } else break
    }
  }
  if (state !== 'done') throw badRequest('Invalid multipart image: the upload ended early')
}
