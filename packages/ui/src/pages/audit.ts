/** @module The security audit's findings, worst first, each with the fix the audit proposes. */
import { get } from '../api.js'
import { badge, h, messageOf, notice, replace, table } from '../dom.js'
import type { Page } from '../router.js'

interface Finding {
  id: string
  severity: string
  subject: string
  message: string
  fix: string
}

const order = ['critical', 'high', 'medium', 'low', 'info']

/** The audit page. */
export const auditPage: Page = (root) => {
  const body = h('div', {}, 'Running the audit…')
  replace(root, h('h1', {}, 'Security audit'), body)
  get<Finding[]>('/1.0/security/audit', { project: null }).then(
    (findings) => {
      const sorted = [...findings].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity))
      replace(
        body,
        h('p', { class: 'muted' }, `${findings.length} finding(s).`),
        table(
          ['Severity', 'Finding', 'Subject', 'What is wrong', 'Fix'],
          sorted.map((f) => [
            badge(f.severity),
            h('code', { class: 'id' }, f.id),
            h('code', {}, f.subject),
            f.message,
            h('code', { class: 'fix' }, f.fix),
          ]),
          'No findings: nothing to fix.',
        ),
      )
    },
    (err: unknown) => replace(body, notice('error', messageOf(err))),
  )
}
