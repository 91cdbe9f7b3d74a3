/** @module The device driver contract: match, keys, cross-key validation. */
import type { KeySet } from '../config/key.js'

/** One device's config, as stored and sent on the wire. */
export type DeviceConfig = Record<string, string>

/** A device driver; lifecycle hooks (start/stop) join when instances run devices. */
export interface DeviceDriver {
  /** The `type` (and, for NICs, `nictype`) this driver handles. */
  match: { type: string; subtype?: string }
  /** The keys this driver accepts (besides `type`). */
  keys: KeySet
  /** Cross-key rules beyond what each key's validator checks. */
  validate?(config: DeviceConfig): void
}
