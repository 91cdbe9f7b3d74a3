/** @module The compression algorithms of published images and backups, and the tar flag each takes. */
import { badRequest } from '@corral/api'

/** The algorithms LXD's `*.compression_algorithm` keys name that Corral runs (each a host binary of that name). */
export const compressionAlgorithms = ['none', 'gzip', 'bzip2', 'xz', 'lzma', 'zstd'] as const

/** GNU tar's arguments that compress with `algorithm` (none for "none"); 400 for another name. */
export function tarCompressionArgs(algorithm: string): string[] {
  if (!(compressionAlgorithms as readonly string[]).includes(algorithm))
    throw badRequest(`Unsupported compression algorithm "${algorithm}"`)
  return algorithm === 'none' ? [] : [`--use-compress-program=${algorithm}`]
}
