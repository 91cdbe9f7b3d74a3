/** @module What Corral offers in a migration: its rsync features, and LXD's architecture numbers. */
import type { RsyncFeatures } from './messages.js'

/**
 * The rsync features Corral uses: xattrs and delete as LXD does, bidirectional negotiation;
 * no compression (a CPU cost on the fast links migrations here use; the peer may not insist).
 */
export const ourFeatureNames: readonly string[] = ['xattrs', 'delete', 'bidirectional']

/** Our features as a header carries them. */
export function ourRsyncFeatures(): RsyncFeatures {
  return { xattrs: true, delete: true, compress: false, bidirectional: true }
}

/** LXD's architecture ids (shared/osarch), by kernel name. */
const architectures: Record<string, number> = {
  i686: 1,
  x86_64: 2,
  armv7l: 3,
  aarch64: 4,
  ppc: 5,
  ppc64: 6,
  ppc64le: 7,
  s390x: 8,
  mips: 9,
  mips64: 10,
  riscv32: 11,
  riscv64: 12,
}

/** The id of an architecture name (0 when unknown). */
export const architectureId = (name: string): number => architectures[name] ?? 0

/** The name of an architecture id, or undefined. */
export const architectureName = (id: number): string | undefined =>
  Object.keys(architectures).find((k) => architectures[k] === id)

/** How long either end waits for the other's header: a peer that joins and says nothing is dropped. */
export const headerTimeoutMs = 60_000
