/** @module What the daemon holds of its managed networks while it runs (types only: state.ts and network code share them). */
import type { DnsmasqProcess } from '../dnsmasq/process.js'

/** The daemon's running bridges' dnsmasq processes, by network name. */
export type DnsmasqRegistry = Map<string, DnsmasqProcess>

/** Managed networks at run time. */
export interface NetworkRuntime {
  dnsmasq: DnsmasqRegistry
  /** Networks whose setup failed at daemon start, with the reason. */
  errors: Map<string, string>
}
