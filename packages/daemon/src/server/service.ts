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

/** Replaces the server config after validating every key and applying live ones; nothing changes on error. */
export async function replaceConfig(
  state: State,
  config: Record<string, string>,
  requestor: Requestor,
): Promise<void> {
  serverKeys.validate(config)
  const address = config['core.https_address'] ?? ''
  if (address !== (loadServerConfig(state.db)['core.https_address'] ?? '')) await state.https.apply(address)
  replaceServerConfig(state.db, config)
  publishLifecycle(state.events, 'config-updated', '/1.0', { requestor })
}
