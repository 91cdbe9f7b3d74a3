/** @module LXD's rule for config maps: a key set to the empty string is unset. */

/** The map without its empty-valued keys. */
export function withoutEmpty(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([, v]) => v !== ''))
}

/** Every device's options without their empty-valued keys. */
export function devicesWithoutEmpty(
  devices: Record<string, Record<string, string>>,
): Record<string, Record<string, string>> {
  return Object.fromEntries(Object.entries(devices).map(([name, d]) => [name, withoutEmpty(d)]))
}
