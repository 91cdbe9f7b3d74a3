/** @module Expanded config and devices: profiles applied in order, instance-local on top. */
import type { ProfileRecord } from '../db/profiles.js'

/** An instance's effective config and devices. */
export interface Expanded {
  config: Record<string, string>
  devices: Record<string, Record<string, string>>
}

/** Applies profiles in order, then the local config and devices; a local device replaces a profile's. */
export function expand(
  profiles: readonly Pick<ProfileRecord, 'config' | 'devices'>[],
  local: Expanded,
): Expanded {
  const config: Record<string, string> = {}
  const devices: Record<string, Record<string, string>> = {}
  for (const p of [...profiles, local]) {
    Object.assign(config, p.config)
    for (const [name, dev] of Object.entries(p.devices)) devices[name] = dev
  }
  for (const [name, dev] of Object.entries(devices)) if (dev.type === 'none') delete devices[name]
  return { config, devices }
}

/** The root disk device (type disk, path /) of expanded devices, if any. */
export function rootDisk(
  devices: Record<string, Record<string, string>>,
): [string, Record<string, string>] | undefined {
  return Object.entries(devices).find(([, d]) => d.type === 'disk' && d.path === '/')
}
