/** @module State: the one bag of dependencies handlers and services receive. */
import type { ServerEnvironment } from '@corral/api'
import type { SecurityAudit } from './audit/audit.js'
import type { Db } from './db/db.js'
import type { Firewall } from './firewall/firewall.js'
import type { IdmapReadiness } from './instance/idmap-readiness.js'
import type { NetworkRuntime } from './network/runtime.js'
import type { EventHub } from './events/hub.js'
import type { CommandRunner } from './host/runner.js'
import type { Logger } from './log.js'
import type { OperationRegistry } from './operation/operation.js'

/** Where the daemon keeps things under its state directory. */
export interface Paths {
  dir: string
  socket: string
  database: string
  logs: string
}

/** The daemon's shared state. */
export interface State {
  db: Db
  events: EventHub
  operations: OperationRegistry
  log: Logger
  host: CommandRunner
  paths: Paths
  environment: ServerEnvironment
  /** starting: 503 for API calls; stopping: 503 except local control. */
  phase: 'starting' | 'ready' | 'stopping'
  /** The remote API listener (core.https_address). */
  https: {
    /** Binds the new address first ('' stops); a failure is a 400 and changes nothing. */
    apply(address: string): Promise<void>
    /** The address served now, '' when none. */
    current(): string
  }
  /** The firewall driver (nftables or xtables) every rule goes through. */
  firewall: Firewall
  /** Managed networks at run time: each bridge's supervised dnsmasq, and setup errors at start. */
  networks: NetworkRuntime
  /** Whether root's id ranges can be mapped: unprivileged creates and starts require it. */
  idmap: IdmapReadiness
  /** `corrald --unprivileged-only`: privileged containers and unsafe raw keys are refused. */
  unprivilegedOnly: boolean
  /** The security audit; its findings are also the `security: *` warnings. */
  audit: SecurityAudit
  /** Asks the daemon to shut down cleanly (after the current response). */
  requestShutdown(): void
}
