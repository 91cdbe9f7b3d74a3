/** @module The security audit as the daemon's state holds it (a leaf module: types only). */
import type { Finding } from './finding.js'

/** The security audit: evaluated on demand, and again after every change while it watches. */
export interface SecurityAudit {
  /** Runs an evaluation that starts after this call, syncs the `security: *` warnings, returns the findings. */
  evaluate(): Promise<Finding[]>
  /** Evaluates now, then shortly after each lifecycle event and every hour. */
  watch(): void
  /** Stops watching and waits for a running evaluation. */
  close(): Promise<void>
}
