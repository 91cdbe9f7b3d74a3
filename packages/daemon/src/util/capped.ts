/** @module A byte limit on a stream: what passes the limit is read and dropped, so the writer never blocks. */
import { Transform } from 'node:stream'

/** Passes through the first `limit` bytes and drops the rest (the source keeps flowing). */
export function capped(limit: number): Transform {
  let passed = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const room = limit - passed
      if (room > 0) {
        const kept = chunk.length > room ? chunk.subarray(0, room) : chunk
        passed += kept.length
        done(null, kept)
      } else done()
    },
  })
}
