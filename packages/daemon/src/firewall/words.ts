/**
 * @module The firewall sink: every value a rule builder puts into an `nft -f` script or an
 * xtables argument list is checked against its grammar here, whatever validated it before, so
 * no value can end a statement, open a block, start a second command or become a second word.
 */
import { checkInterfaceName } from '../host/net.js'

const refuse = (what: string, value: string): never => {
  throw new Error(`Refusing ${JSON.stringify(value)} as a firewall ${what}`)
}

/** An interface name, for `iifname "<name>"` and chain names. */
export function ifnameWord(value: string): string {
  try {
    return checkInterfaceName(value)
  } catch {
    return refuse('interface name', value)
  }
}

/** A MAC address. */
export function macWord(value: string): string {
  return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(value) ? value.toLowerCase() : refuse('MAC address', value)
}

/** A table name or a chain label (`<instance>.<device>`). */
export function nameWord(value: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(value) && value.length <= 200 ? value : refuse('name', value)
}
