/** @module Renders docs/config.md from the key declarations, so the docs cannot drift. */
import type { KeySet } from '../config/key.js'
import { instanceKeys } from '../config/instance-keys.js'
import { serverKeys } from '../config/server-keys.js'
import { bridgeKeys } from '../network/bridge-keys.js'
import { projectKeys } from '../project/keys.js'
import { storageDrivers } from '../storage/drivers/registry.js'

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
  ...storageDrivers.map((d): [string, string, KeySet] => [
    `Storage pools: ${d.name}`,
    `Set with \`corral storage create NAME ${d.name} KEY=VALUE\` or \`corral storage set NAME KEY VALUE\`.`,
    d.keys,
  ]),
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
      const text = def.long ? `${def.short}. ${def.long}` : def.short
      out.push(`| \`${key}\` | ${def.type} | ${cell(dflt)} | ${cell(text)} |`)
    }
  }
  return `${out.join('\n')}\n`
}
