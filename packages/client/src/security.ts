/** @module /1.0/security/audit: the daemon's security audit (Corral's `corral_security_audit` extension). */
import type { AuditFinding } from '@corral/api'
import type { Requester } from './requester.js'

/** Security endpoints. */
export interface SecurityApi {
  /** GET /1.0/security/audit: a fresh evaluation's findings, most severe first. */
  audit(): Promise<AuditFinding[]>
}

/** Builds the security endpoints (server-wide: never scoped by `?project=`). */
export function securityApi(r: Requester): SecurityApi {
  return {
    async audit() {
      return (
        (await r.call<AuditFinding[]>('GET', '/1.0/security/audit', undefined, { project: false }))
          .metadata ?? []
      )
    },
  }
}
