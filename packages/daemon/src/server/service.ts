/** @module Server config: validated replace and merge, with a config-updated event. */
import type { Requestor } from '@corral/api'
import { serverKeys } from '../config/server-keys.js'
import { loadServerConfig, replaceServerConfig } from '../db/server-config.js'
import { publishLifecycle } from '../events/lifecycle.js'
import type { State } from '../state.js'

/** The server config as stored. */
export function getServerConfig(state: State): Record<string, string> {
  return loadServerConfig(state.db)
}

/** Replaces the server config after validating every key; nothing changes on error. */
export function replaceConfig(state: State, config: Record<string, string>, requestor: Requestor): void {
  serverKeys.validate(config)
  replaceServerConfig(state.db, config)
  publishLifecycle(state.events, 'config-updated', '/1.0', { requestor })
}
