/** @module Trust store checks: unrestricted certificates, and restricted ones reaching unrestricted projects. */
import { isTrue } from '../config/validate.js'
import { allOf, certificateSubject, corral, type Finding } from './finding.js'
import type { AuditInput } from './input.js'

/** `trust-unrestricted`: a client certificate without restriction has full control, as root on the host. */
export function checkUnrestrictedCertificates(input: AuditInput): Finding[] {
  return input.certificates
    .filter((c) => c.type === 'client' && !c.restricted)
    .map((c) => ({
      id: 'trust-unrestricted',
      severity: 'low',
      subject: certificateSubject(c.fingerprint),
      project: '',
      message: `Certificate "${c.name}" is trusted without restriction: its holder controls the server and the host; if it needs less, trust it again with --restricted --projects`,
      fix: corral(undefined, 'config', 'trust', 'remove', c.fingerprint),
    }))
}

/**
 * `restricted-cert-unrestricted-project`: LXD's trap. A certificate restricted to a project
 * without `restricted=true` may create privileged containers and attach host paths there,
 * which is control of the host.
 */
export function checkRestrictedCertificates(input: AuditInput): Finding[] {
  const projects = new Map(input.projects.map((p) => [p.name, p]))
  return input.certificates
    .filter((c) => c.restricted)
    .flatMap((c): Finding[] => {
      const open = c.projects.filter((name) => {
        const p = projects.get(name)
        return p !== undefined && !isTrue(p.config.restricted)
      })
      if (open.length === 0) return []
      const list = open.map((p) => `"${p}"`).join(', ')
      return [
        {
          id: 'restricted-cert-unrestricted-project',
          severity: 'high',
          subject: certificateSubject(c.fingerprint),
          project: '',
          message: `Certificate "${c.name}" is restricted to project${open.length > 1 ? 's' : ''} ${list} without restricted=true: there it can create privileged containers and attach host paths, which gives it the host`,
          fix: allOf(open.map((p) => corral(undefined, 'project', 'set', p, 'restricted=true'))),
        },
      ]
    })
}
