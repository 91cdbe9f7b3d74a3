/** @module volatile.* keys: what the daemon reads from each, checked by type wherever they come from. */
import { badRequest } from '@corral/api'
import type { Validator } from '../config/validate.js'
import { isInterfaceName } from '../device/nic-keys.js'
import { isMacAddress } from '../network/bridge-keys.js'

const isIdmapJson: Validator = (value) => {
  const entries: unknown = JSON.parse(value)
  const ok =
    Array.isArray(entries) &&
    entries.every(
      (e: Record<string, unknown>) =>
        typeof e === 'object' &&
        e !== null &&
        typeof e.Isuid === 'boolean' &&
        typeof e.Isgid === 'boolean' &&
        ['Hostid', 'Nsid', 'Maprange'].every((k) => Number.isSafeInteger(e[k]) && (e[k] as number) >= 0),
    )
  if (!ok) throw new Error('Not an idmap')
}

const pattern =
  (re: RegExp, what: string): Validator =>
  (value) => {
    if (!re.test(value)) throw new Error(`Not ${what}`)
  }

/** The validator of a volatile key by its name; device keys end in the device's key. */
function validatorOf(key: string): Validator {
  if (/^volatile\.idmap\.(next|current)$/.test(key) || key === 'volatile.last_state.idmap') return isIdmapJson
  if (key === 'volatile.idmap.base') return pattern(/^\d{1,10}$/, 'an id')
  if (key === 'volatile.uuid') return pattern(/^[0-9a-f-]{36}$/i, 'a UUID')
  if (key === 'volatile.base_image') return pattern(/^[0-9a-f]{1,64}$/, 'an image fingerprint')
  if (key === 'volatile.last_state.power') return pattern(/^(RUNNING|STOPPED|FROZEN)$/, 'a power state')
  if (key.endsWith('.hwaddr')) return isMacAddress
  if (key.endsWith('.host_name') || key.endsWith('.name')) return isInterfaceName
  return pattern(/^[^\n\r]*$/, 'a single line')
}

/** Checks every volatile key of a config by what the daemon will do with it (a MAC is a MAC); 400 on the first bad one. */
export function validateVolatile(config: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith('volatile.') || value === '') continue
    try {
      validatorOf(key)(value)
    } catch (err) {
      throw badRequest(`Invalid value for key "${key}": "${value}": ${(err as Error).message}`)
    }
  }
}
