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
/** The first look at apt's lists waits until the daemon has settled (autostart, a benchmark's first launch). */
const firstAptMs = 30_000
/** Host facts change without events (apt's lists, /etc/group, sysctls): looked at again hourly. */
const periodMs = 60 * 60 * 1000
/** How long stopping waits for an evaluation under way. */
const closeWaitMs = 2000

/** Creates the daemon's audit; `state` is read lazily because the audit is part of it. */
export function createSecurityAudit(state: () => State): SecurityAudit {
  let running: Promise<Finding[]> | undefined
  let queued: Promise<Finding[]> | undefined
  /** Whether the next evaluation to start runs apt's simulation when its lists changed. */
  let refreshNext = false
  let timer: NodeJS.Timeout | undefined
  const periodic: NodeJS.Timeout[] = []
  let unsubscribe: (() => void) | undefined
  let closed = false
  // The apt simulation costs about half a second: only asked-for, first and hourly evaluations
  // run it, and only when the lists or dpkg's status changed; the others reuse its last answer.
  let apt: { signature: string; result: OsUpdates } | undefined

  /** Pending security updates; undefined when unknown (no apt here, not looked at yet, or it failed). */
  async function osUpdates(s: State, refresh: boolean): Promise<OsUpdates | undefined> {
    if (!refresh) return apt?.result
    const lists = aptSecurityLists()
    if (!lists) return undefined
    if (apt?.signature === lists.signature) return apt.result
    try {
      const packages = await pendingSecurityUpdates(s.host, lists, join(s.paths.dir, 'security', 'apt'))
      apt = { signature: lists.signature, result: { packages, fetchedAt: lists.fetchedAt } }
    } catch (err) {
      s.log.warn('Could not check for pending security updates', { err: String(err) })
    }
    return apt?.result
  }

  async function once(refresh: boolean): Promise<Finding[]> {
    if (closed) return []
    const s = state()
    const updates = await osUpdates(s, refresh)
    // Closed while apt ran: the database may be gone already.
    if (closed) return []
    const findings = runChecks(await gatherInput(s, updates))
    if (closed || s.phase === 'stopping') return findings
    syncWarnings(s, {
      typePrefix: auditWarningPrefix,
      raised: findings.map((f) => ({
        type: `${auditWarningPrefix}${f.id}`,
        severity: f.severity,
        project: f.project,
        entityUrl: f.subject,
        message: f.message,
      })),
      // Not knowing is not a fix: an os-updates warning stays until apt says otherwise.
      unknown: updates === undefined ? [`${auditWarningPrefix}os-updates`] : [],
    })
    return findings
  }

  function evaluate(refresh: boolean): Promise<Finding[]> {
    refreshNext ||= refresh
    if (queued) return queued
    const start = (): Promise<Finding[]> => {
      queued = undefined
      const p = once(refreshNext).finally(() => {
        if (running === p) running = undefined
      })
      refreshNext = false
      running = p
      return p
    }
    if (!running) return start()
    queued = running.then(start, start)
    return queued
  }

  function schedule(delay: number, refresh: boolean): void {
    if (closed) return
    if (refresh) refreshNext = true
    if (timer) return
    timer = setTimeout(() => {
      timer = undefined
      evaluate(false).catch((err: unknown) => {
        if (!closed) state().log.warn('Security audit failed', { err: String(err) })
      })
    }, delay)
    timer.unref()
  }

  return {
    evaluate: () => evaluate(true),
    watch() {
      const s = state()
      unsubscribe = s.events.subscribe({
        types: new Set(['lifecycle']),
        project: undefined,
        send: (event) => {
          // Acknowledging or deleting a warning changes nothing the audit looks at.
          if (!(event.metadata as EventLifecycle).action.startsWith('warning-')) schedule(debounceMs, false)
        },
      })
      periodic.push(
        setTimeout(() => schedule(0, true), firstAptMs),
        setInterval(() => schedule(0, true), periodMs),
      )
      for (const t of periodic) t.unref()
      schedule(0, false)
    },
    async close() {
      closed = true
      clearTimeout(timer)
      for (const t of periodic) clearTimeout(t)
      unsubscribe?.()
      // A slow apt must not hold the shutdown: an evaluation that finishes later writes nothing.
      await Promise.race([
        Promise.allSettled([running, queued]),
        new Promise((r) => setTimeout(r, closeWaitMs).unref()),
      ])
    },
  }
}
