/** @module THE list of audit checks: each reads one snapshot and returns its findings. */
import { checkBridgeRouterAdvertisements, checkUnfilteredNics } from './checks-networks.js'
import {
  checkHostDisks,
  checkNesting,
  checkPrivileged,
  checkRawConfig,
  checkSharedIdmaps,
} from './checks-instances.js'
import {
  checkHttpsAddress,
  checkOsUpdates,
  checkSocket,
  checkTrustPassword,
  checkVersion,
} from './checks-server.js'
import { checkRestrictedCertificates, checkUnrestrictedCertificates } from './checks-trust.js'
import { sortFindings, type Finding } from './finding.js'
import type { AuditInput } from './input.js'

/** A check: pure, so it is tested on hand-made snapshots. */
export type Check = (input: AuditInput) => Finding[]

/** Every check; a new one adds one line. */
export const checks: readonly Check[] = [
  checkVersion,
  checkOsUpdates,
  checkSocket,
  checkHttpsAddress,
  checkTrustPassword,
  checkUnrestrictedCertificates,
  checkRestrictedCertificates,
  checkPrivileged,
  checkRawConfig,
  checkHostDisks,
  checkSharedIdmaps,
  checkNesting,
  checkUnfilteredNics,
  checkBridgeRouterAdvertisements,
]

/** Runs every check on a snapshot; findings come most severe first. */
export function runChecks(input: AuditInput): Finding[] {
  return sortFindings(
    checks
      .flatMap((check) => check(input))
      // One field order for every finding, so JSON and YAML print them alike.
      .map(({ id, severity, subject, message, fix, project }) => ({
        id,
        severity,
        subject,
        message,
        fix,
        project,
      })),
  )
}
