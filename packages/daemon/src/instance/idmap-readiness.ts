/** @module Whether unprivileged containers can start here: root's id ranges, probed once per change of /etc/subuid and /etc/subgid. */
import { ApiError } from '@corral/api'
import { probeIdmap, type IdmapProbe } from '../host/idmap-probe.js'
import type { CommandRunner } from '../host/runner.js'
import { rootDelegations, rootIdRanges } from '../host/subid.js'
import type { Logger } from '../log.js'
import type { IdRange } from './idmap.js'

const files = { uid: '/etc/subuid', gid: '/etc/subgid' } as const

/** The probe result with the ranges it was made for. */
export interface IdmapReadinessResult {
  probe: IdmapProbe
  uids: IdRange
  gids: IdRange
}

/** Probes root's ranges when they (or root's delegations) change, logs each new outcome, and refuses unprivileged work while they cannot be mapped. */
export class IdmapReadiness {
  private key = ''
  private result: Promise<IdmapReadinessResult> | undefined

  constructor(
    private readonly host: CommandRunner,
    private readonly log: Logger,
  ) {}

  /** The outcome for the files as they are now (probed again only when they changed). */
  check(): Promise<IdmapReadinessResult> {
    const { uids, gids } = rootIdRanges()
    const key = JSON.stringify([uids, gids, rootDelegations('uid'), rootDelegations('gid')])
    if (key !== this.key || !this.result) {
      this.key = key
      this.result = probeIdmap(this.host, uids, gids).then((probe) => {
        this.report({ probe, uids, gids })
        return { probe, uids, gids }
      })
    }
    return this.result
  }

  /** Throws, with the line to add, when unprivileged containers cannot start; nothing has been changed by then. */
  async require(): Promise<void> {
    const { probe, uids, gids } = await this.check()
    if (probe.ok) return
    const range = probe.kind === 'uid' ? uids : gids
    throw new ApiError(
      503,
      `Unprivileged containers cannot start on this host: ${probe.error}. ` +
        `Add the line "root:${range.start}:${range.size}" to ${files[probe.kind]} ` +
        `(scripts/ensure-root-subids.sh does it); privileged containers are not affected`,
    )
  }

  private report({ probe, uids, gids }: IdmapReadinessResult): void {
    const context = {
      uids: `${uids.start}+${uids.size}`,
      gids: `${gids.start}+${gids.size}`,
      method: probe.method,
    }
    if (probe.ok) this.log.info('Unprivileged containers: root id ranges can be mapped', context)
    else
      this.log.error('Unprivileged containers cannot start: root id range refused', {
        ...context,
        file: files[probe.kind],
        err: probe.error,
      })
  }
}
