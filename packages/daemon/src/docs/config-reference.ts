/** @module Renders docs/config.md from the key declarations, so the docs cannot drift. */
import type { KeySet } from '../config/key.js'
import { instanceKeys } from '../config/instance-keys.js'
import { serverKeys } from '../config/server-keys.js'
import { deviceDrivers } from '../device/registry.js'
import { bridgeKeys } from '../network/bridge-keys.js'
import { projectKeys } from '../project/keys.js'
import { storageDrivers } from '../storage/drivers/registry.js'
import { volumeKeysForDocs } from '../storage/volume-keys.js'

const sections: [string, string, KeySet][] = [
  ['Server', 'Set with `corral config set KEY VALUE` (`PUT /1.0`).', serverKeys],
  ['Projects', 'Set with `corral project set NAME KEY VALUE`.', projectKeys],
  [
    'Instances and profiles',
    'Set with `corral profile set NAME KEY VALUE` and `corral config set INSTANCE KEY VALUE`.',
    instanceKeys,
  ],
  [
    'Networks: bridge',
    'Set with `corral network create NAME KEY=VALUE` or `corral network set NAME KEY VALUE`.',
    bridgeKeys,
  ],
  // Device keys from the drivers' own declarations, one section per device type (and nictype).
  ...deviceDrivers
    .filter((d) => Object.keys(d.keys.keys).length > 0)
    .map((d): [string, string, KeySet] => [
      `Devices: ${d.match.type}${d.match.subtype ? ` (nictype ${d.match.subtype})` : ''}`,
      `Set with \`corral config device add|set INSTANCE DEVICE KEY=VALUE\` or on a profile (\`corral profile device ...\`).${
        Object.values(d.keys.keys).some((k) => k.liveUpdate)
          ? ' Keys marked *live* change on a running instance at once.'
          : ''
      }`,
      d.keys,
    ]),
  ...storageDrivers.map((d): [string, string, KeySet] => [
    `Storage pools: ${d.name}`,
    `Set with \`corral storage create NAME ${d.name} KEY=VALUE\` or \`corral storage set NAME KEY VALUE\`.`,
    d.keys,
  ]),
  [
    'Storage volumes: custom',
    'Set with `corral storage volume create POOL NAME KEY=VALUE` or `corral storage volume set POOL NAME KEY VALUE`.',
    volumeKeysForDocs,
  ],
]

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** The whole markdown reference of every declared key. */
export function renderConfigReference(): string {
  const out = [
    '# Configuration keys',
    '',
    'Generated from the key declarations in `packages/daemon/src` by `npm run gen`; do not edit by hand.',
    'Every value is a string; keys not listed here are refused (`user.*` is free-form where listed).',
  ]
  for (const [title, how, set] of sections) {
    out.push(
      '',
      `## ${title}`,
      '',
      how,
      '',
      '| key | type | default | description |',
      '| --- | --- | --- | --- |',
    )
    for (const [key, def] of Object.entries(set.keys)) {
      const dflt = def.defaultText ?? (def.default !== undefined ? `\`${def.default}\`` : '')
      const text = `${def.liveUpdate ? '*live*: ' : ''}${def.long ? `${def.short}. ${def.long}` : def.short}`
      out.push(`| \`${key}\` | ${def.type} | ${cell(dflt)} | ${cell(text)} |`)
    }
  }
  return `${out.join('\n')}\n`
}
