/** @module When the audit runs: on request, at start, after changes (debounced) and hourly; one evaluation at a time. */
import { join } from 'node:path'
import type { EventLifecycle } from '@corral/api'
import { aptSecurityLists, pendingSecurityUpdates } from '../host/audit-facts.js'
import type { State } from '../state.js'
import { syncWarnings } from '../warning/service.js'
import type { SecurityAudit } from './audit.js'
import { runChecks } from './checks.js'
import type { Finding } from './finding.js'
import { gatherInput } from './gather.js'
import type { OsUpdates } from './input.js'

/** The warnings the audit owns. */
export const auditWarningPrefix = 'security: '

/** Changes usually come in bursts (create, then start): one evaluation after the burst. */
const debounceMs = 150
/** Host facts change without events (apt's lists, /etc/group, sysctls): looked at again hourly. */
const periodMs = 60 * 60 * 1000

/** Creates the daemon's audit; `state` is read lazily because the audit is part of it. */
export function createSecurityAudit(state: () => State): SecurityAudit {
  let running: Promise<Finding[]> | undefined
  let queued: Promise<Finding[]> | undefined
  let timer: NodeJS.Timeout | undefined
  let hourly: NodeJS.Timeout | undefined
  let unsubscribe: (() => void) | undefined
  let closed = false
  // The apt simulation costs about half a second: it runs again only when the lists or dpkg's status change.
  let apt: { signature: string; result: OsUpdates } | undefined

  async function osUpdates(s: State): Promise<OsUpdates | undefined> {
    const lists = aptSecurityLists()
    if (!lists) return undefined
    if (apt?.signature === lists.signature) return apt.result
    try {
      const packages = await pendingSecurityUpdates(s.host, lists, join(s.paths.dir, 'security', 'apt'))
      apt = { signature: lists.signature, result: { packages, fetchedAt: lists.fetchedAt } }
      return apt.result
    } catch (err) {
      s.log.warn('Could not check for pending security updates', { err: String(err) })
      return undefined
    }
  }

  async function once(): Promise<Finding[]> {
    const s = state()
    const findings = runChecks(await gatherInput(s, await osUpdates(s)))
    if (s.phase === 'stopping') return findings
    syncWarnings(
      s,
      auditWarningPrefix,
      findings.map((f) => ({
        type: `${auditWarningPrefix}${f.id}`,
        severity: f.severity,
        project: f.project,
        entityUrl: f.subject,
        message: f.message,
      })),
    )
    return findings
  }

  function evaluate(): Promise<Finding[]> {
    if (queued) return queued
    const start = (): Promise<Finding[]> => {
      queued = undefined
      const p = once().finally(() => {
        if (running === p) running = undefined
      })
      running = p
      return p
    }
    if (!running) return start()
    queued = running.then(start, start)
    return queued
  }

  function schedule(delay = debounceMs): void {
    if (closed || timer) return
    timer = setTimeout(() => {
      timer = undefined
      evaluate().catch((err: unknown) => state().log.warn('Security audit failed', { err: String(err) }))
    }, delay)
    timer.unref()
  }

  return {
    evaluate,
    watch() {
      const s = state()
      unsubscribe = s.events.subscribe({
        types: new Set(['lifecycle']),
        project: undefined,
        send: (event) => {
          // Acknowledging or deleting a warning changes nothing the audit looks at.
          if (!(event.metadata as EventLifecycle).action.startsWith('warning-')) schedule()
        },
      })
      hourly = setInterval(() => schedule(0), periodMs)
      hourly.unref()
      schedule(0)
    },
    async close() {
      closed = true
      clearTimeout(timer)
      clearInterval(hourly)
      unsubscribe?.()
      await Promise.allSettled([running, queued])
    },
  }
}
