/** @module What `profile device` and `config device` share: property parsing and output lines. */

/** Parses device `key=value` properties with lxc's message for a bare word. */
export function parseDeviceProps(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const arg of args) {
    const at = arg.indexOf('=')
    if (at < 0) throw new Error(`No value found in "${arg}"`)
    out[arg.slice(0, at)] = arg.slice(at + 1)
  }
  return out
}

/** `device list` output: one device name a line. */
export function deviceNamesText(devices: Record<string, unknown> | undefined): string {
  return Object.keys(devices ?? {})
    .map((d) => `${d}\n`)
    .join('')
}

/** `device remove` output: one line a removed device, as lxc prints it. */
export function removedText(devices: readonly string[], from: string): string {
  return devices.map((d) => `Device ${d} removed from ${from}\n`).join('')
}
