/** @module What the checks read: one snapshot of the daemon's records and the host's facts. */
import type { CertificateRecord } from '../db/certificates.js'
import type { ProjectRecord } from '../db/projects.js'
import type { SocketAccess } from '../host/audit-facts.js'
import type { Expanded } from '../instance/expand.js'

/** An instance as the checks see it. */
export interface InstanceView {
  project: string
  name: string
  /** Its own config and devices (profiles not applied). */
  local: Expanded
  /** Its profiles' config and devices, in the order they apply. */
  profiles: {
    name: string
    config: Record<string, string>
    devices: Record<string, Record<string, string>>
  }[]
  expanded: Expanded
  running: boolean
}

/** A managed network as the checks see it. */
export interface NetworkView {
  name: string
  config: Record<string, string>
  /** Whether the host takes router advertisements on the bridge; undefined when the link is absent. */
  acceptsRa: boolean | undefined
}

/** Pending security updates per apt's lists on disk. */
export interface OsUpdates {
  packages: string[]
  /** When the lists were downloaded ('' when unknown). */
  fetchedAt: string
}

/** The release running, from the release data in the code. */
export interface ReleaseView {
  version: string
  kind: 'lts' | 'feature'
  supportEnd: string
  pastSupportEnd: boolean
}

/** Everything one evaluation looks at. */
export interface AuditInput {
  release: ReleaseView
  serverConfig: Record<string, string>
  /** The unix socket's group and members; undefined when it cannot be read. */
  socket: { path: string; access: SocketAccess } | undefined
  /** Undefined when the host has no apt or its simulation failed. */
  osUpdates: OsUpdates | undefined
  certificates: CertificateRecord[]
  projects: ProjectRecord[]
  instances: InstanceView[]
  networks: NetworkView[]
}
