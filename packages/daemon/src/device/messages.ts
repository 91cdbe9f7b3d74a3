/** @module LXD's wording of device key errors. */
import type { KeyMessages } from '../config/key.js'

/** Device key errors as LXD words them. */
export const deviceKeyMessages: KeyMessages = {
  unknown: (key) => `Invalid device option "${key}"`,
  invalid: (key, _value, reason) => `Invalid value for device option "${key}": ${reason}`,
}
