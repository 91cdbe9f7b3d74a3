/** @module Unit: metadata.yaml parsing and validation. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseImageMetadata } from '../../src/image/metadata.js'

const status = (fn: () => unknown): number | undefined => {
  try {
    fn()
  } catch (err) {
    return (err as { status?: number }).status
  }
  return undefined
}

test('parseImageMetadata() reads architecture, dates, string properties and templates', () => {
  const meta = parseImageMetadata(
    [
      'architecture: x86_64',
      'creation_date: 1700000000',
      'properties:',
      '  os: busybox',
      '  release: 1.35',
      '  description: BusyBox',
      'templates:',
      '  /etc/hostname:',
      '    when: [create, copy]',
      '    template: hostname.tpl',
    ].join('\n'),
  )
  assert.deepEqual(meta, {
    architecture: 'x86_64',
    creation_date: 1700000000,
    expiry_date: 0,
    properties: { os: 'busybox', release: '1.35', description: 'BusyBox' },
    templates: {
      '/etc/hostname': {
        when: ['create', 'copy'],
        create_only: false,
        template: 'hostname.tpl',
        properties: {},
      },
    },
  })
})

test('parseImageMetadata() accepts architecture aliases such as amd64 and arm64', () => {
  assert.equal(parseImageMetadata('architecture: amd64').architecture, 'amd64')
  assert.equal(parseImageMetadata('architecture: aarch64').architecture, 'aarch64')
})

test('parseImageMetadata() refuses a missing or unknown architecture with 400', () => {
  assert.throws(() => parseImageMetadata('properties: {}'), /architecture is missing/)
  assert.throws(() => parseImageMetadata('architecture: pdp11'), /architecture "pdp11" is not supported/)
  assert.equal(
    status(() => parseImageMetadata('architecture: pdp11')),
    400,
  )
})

test('parseImageMetadata() refuses invalid YAML, non-map documents and bad field types with 400', () => {
  assert.equal(
    status(() => parseImageMetadata('architecture: [x86_64')),
    400,
  )
  assert.equal(
    status(() => parseImageMetadata('- a\n- b')),
    400,
  )
  assert.equal(
    status(() => parseImageMetadata('architecture: x86_64\ncreation_date: yesterday')),
    400,
  )
  assert.equal(
    status(() => parseImageMetadata('architecture: x86_64\nproperties: [a]')),
    400,
  )
})
