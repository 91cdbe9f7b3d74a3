/** @module Reads one snapshot for the checks: the database's records, then the host's facts through the seam. */
import { listCertificates } from '../db/certificates.js'
import { listInstances } from '../db/instances.js'
import { listNetworks } from '../db/networks.js'
import { listProjects } from '../db/projects.js'
import { loadServerConfig } from '../db/server-config.js'
import { acceptsRouterAdvertisements, socketAccess } from '../host/audit-facts.js'
import { expand } from '../instance/expand.js'
import { isAlive, runtimeState } from '../instance/lxc/runtime.js'
import { loadProfiles } from '../instance/service.js'
import type { State } from '../state.js'
import { isPastSupportEnd, release } from '../version.js'
import type { AuditInput, InstanceView, OsUpdates } from './input.js'

/**
 * Builds the snapshot: every record is read first, in one synchronous stretch (one consistent
 * view, and nothing touches the database once the host is being asked); then the run states.
 */
export async function gatherInput(state: State, osUpdates: OsUpdates | undefined): Promise<AuditInput> {
  const records = listInstances(state.db, undefined).map((inst) => {
    let profiles: InstanceView['profiles']
    try {
      profiles = loadProfiles(state, inst.project, inst.profiles).map((p) => ({
        name: p.name,
        config: p.config,
        devices: p.devices,
      }))
    } catch {
      // A profile removed under it: judge the instance by its own config.
      profiles = []
    }
    return { inst, profiles }
  })
  const serverConfig = loadServerConfig(state.db)
  const certificates = listCertificates(state.db)
  const projects = listProjects(state.db)
  const networks = listNetworks(state.db)
  const instances: InstanceView[] = []
  for (const { inst, profiles } of records) {
    const local = { config: inst.config, devices: inst.devices }
    const run = await runtimeState(state, inst)
    instances.push({
      project: inst.project,
      name: inst.name,
      local,
      profiles,
      expanded: expand(profiles, local),
      running: isAlive(run),
    })
  }
  const access = socketAccess(state.paths.socket)
  return {
    release: { ...release, pastSupportEnd: isPastSupportEnd() },
    serverConfig,
    socket: access && { path: state.paths.socket, access },
    osUpdates,
    certificates,
    projects,
    instances,
    networks: networks.map((n) => ({
      name: n.name,
      config: n.config,
      acceptsRa: acceptsRouterAdvertisements(n.name),
    })),
  }
}
