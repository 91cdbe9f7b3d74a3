/**
 * @module The nftables sink: every value a rule builder puts into an `nft -f` script is checked
 * against its grammar here, whatever validated it before, so no value can end a statement,
 * open a block or start a second command.
 */
import { checkInterfaceName } from '../host/net.js'

const refuse = (what: string, value: string): never => {
  throw new Error(`Refusing ${JSON.stringify(value)} as an nftables ${what}`)
}

/** An interface name, for `iifname "<name>"` and chain names. */
export function nftIfname(value: string): string {
  try {
    return checkInterfaceName(value)
  } catch {
    return refuse('interface name', value)
  }
}

/** A MAC address. */
export function nftMac(value: string): string {
  return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(value) ? value.toLowerCase() : refuse('MAC address', value)
}

/** A table name or a chain label (`<instance>.<device>`). */
export function nftName(value: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(value) && value.length <= 200 ? value : refuse('name', value)
}

/** The script: one command per line, no control character besides the line breaks the builder put there. */
export function nftScript(lines: readonly string[]): string {
  // eslint-disable-next-line no-control-regex -- the control characters are what this refuses
  for (const line of lines) if (/[\0-\x1f\x7f]/.test(line)) refuse('line', line)
  return `${lines.join('\n')}\n`
}
