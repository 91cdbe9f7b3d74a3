/** @module Server config: validated replace and merge, with a config-updated event. */
import { badRequest, type Requestor, type ServerConfig } from '@corral/api'
import { hashTrustPassword, trustPasswordKey } from '../certificate/trust-password.js'
import { serverKeys } from '../config/server-keys.js'
import { loadServerConfig, replaceServerConfig } from '../db/server-config.js'
import { publishLifecycle } from '../events/lifecycle.js'
import type { State } from '../state.js'

/** Keys whose value is never shown: a set one reads as `true`, as LXD 5.0.2 renders hidden keys. */
const hiddenKeys: ReadonlySet<string> = new Set([trustPasswordKey])

/** The server config as the API shows it (a set trust password as `true`, never its hash). */
export function getServerConfig(state: State): ServerConfig {
  const config: ServerConfig = loadServerConfig(state.db)
  for (const key of hiddenKeys) if (config[key]) config[key] = true
  return config
}

/**
 * The config to store for a requested one: `true` for a hidden key keeps what is stored (it is
 * what GET showed), a new trust password is replaced by its hash.
 */
async function storedForm(state: State, config: ServerConfig): Promise<Record<string, string>> {
  const stored = loadServerConfig(state.db)
  const plain: Record<string, string> = {}
  const fresh: string[] = []
  for (const [key, value] of Object.entries(config)) {
    if (value === true && hiddenKeys.has(key)) plain[key] = stored[key] ?? ''
    else if (typeof value !== 'string')
      throw badRequest(`Invalid value for field "config": key "${key}" must have a string value`)
    else {
      plain[key] = value
      if (hiddenKeys.has(key) && value !== '') fresh.push(key)
    }
  }
  serverKeys.validate(plain)
  for (const key of fresh) plain[key] = await hashTrustPassword(plain[key]!)
  return plain
}

/** Replaces the server config after validating every key and applying live ones; nothing changes on error. */
export async function replaceConfig(
  state: State,
  requested: ServerConfig,
  requestor: Requestor,
): Promise<void> {
  const config = await storedForm(state, requested)
  const address = config['core.https_address'] ?? ''
  if (address !== (loadServerConfig(state.db)['core.https_address'] ?? '')) await state.https.apply(address)
  replaceServerConfig(state.db, config)
  publishLifecycle(state.events, 'config-updated', '/1.0', { requestor })
}
