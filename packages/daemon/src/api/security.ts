/** @module /1.0/security/audit (Corral's `corral_security_audit` extension): the audit's findings, admin-only. */
import type { AuditFinding } from '@corral/api'
import { endpoint } from './endpoint.js'
import { sync } from './response.js'

/** The security endpoints. */
export const securityEndpoints = [
  endpoint('/1.0/security/audit', {
    get: {
      // What it reports (who is in the socket's group, host paths, pending updates) is the host's business.
      access: 'admin',
      handler: async (req) => {
        const findings = await req.state.audit.evaluate()
        return sync(
          findings.map(({ id, severity, subject, message, fix }): AuditFinding => ({
            id,
            severity,
            subject,
            message,
            fix,
          })),
        )
      },
    },
  }),
]
