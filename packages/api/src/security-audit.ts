/** @module The security audit's wire type (GET /1.0/security/audit, the `corral_security_audit` extension). */
import type { WarningSeverity } from './warning.js'

/** One finding of the audit; its warning has type `security: <id>`, the same severity and entity. */
export interface AuditFinding {
  /** Stable identifier of the kind of finding (`privileged-instance`). */
  id: string
  severity: WarningSeverity
  /** The API URL of the entity concerned (`/1.0/instances/c1?project=default`), `/1.0` for the server. */
  subject: string
  message: string
  /** The command that removes the finding. */
  fix: string
}
