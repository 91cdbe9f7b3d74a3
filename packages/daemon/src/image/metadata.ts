/** @module Parsing and validation of an image's metadata.yaml. */
import { badRequest, type ImageMetadata, type ImageMetadataTemplate } from '@corral/api'
import { parse } from 'yaml'

/** Architecture names LXD accepts in metadata.yaml, with their aliases. */
export const architectureNames: ReadonlySet<string> = new Set([
  'i686', 'i386', 'i586', 'x86', '386',
  'x86_64', 'amd64',
  'armv6l', 'armv7l', 'armv7', 'armv8l', 'armhf', 'armel', 'arm',
  'aarch64', 'arm64',
  'ppc', 'powerpc', 'ppc64', 'powerpc64', 'ppc64le', 'ppc64el',
  's390x',
  'mips', 'mipsel', 'mips64', 'mips64el',
  'riscv32', 'riscv64', 'loongarch64',
]) // prettier-ignore

/**
 * Refuses property keys and values with a line break or another control character: they are
 * copied into every instance's `image.*` config, and from there into lxc.conf, where a newline
 * would end the line (and a tenant could write the next one).
 */
export function checkImageProperties(properties: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(properties)) {
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u001f\u007f]/
    if (key === '' || control.test(key))
      throw badRequest(
        `Invalid image property name ${JSON.stringify(key)}: control characters are not allowed`,
      )
    if (control.test(value))
      throw badRequest(`Invalid value for image property "${key}": control characters are not allowed`)
  }
}

function stringMap(value: unknown, what: string): Record<string, string> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value))
    throw badRequest(`Invalid image metadata: ${what} must be a map`)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
      throw badRequest(`Invalid image metadata: ${what} "${k}" must be a string`)
    out[k] = String(v)
  }
  return out
}

function epoch(value: unknown, what: string): number {
  if (value === undefined || value === null) return 0
  const n = typeof value === 'string' ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw badRequest(`Invalid image metadata: ${what} must be a UNIX time`)
  return n
}

function templates(value: unknown): Record<string, ImageMetadataTemplate> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value))
    throw badRequest('Invalid image metadata: templates must be a map')
  const out: Record<string, ImageMetadataTemplate> = {}
  for (const [path, t] of Object.entries(value as Record<string, unknown>)) {
    if (t === null || typeof t !== 'object')
      throw badRequest(`Invalid image metadata: template "${path}" must be a map`)
    const o = t as Record<string, unknown>
    out[path] = {
      when: Array.isArray(o.when) ? o.when.map(String) : [],
      create_only: o.create_only === true,
      template: typeof o.template === 'string' ? o.template : '',
      properties: stringMap(o.properties, 'template property'),
    }
  }
  return out
}

function checkedProperties(properties: Record<string, string>): Record<string, string> {
  checkImageProperties(properties)
  return properties
}

/** Parses metadata.yaml; 400 when it is not YAML, or its architecture is missing or unknown. */
export function parseImageMetadata(text: string): ImageMetadata {
  let doc: unknown
  try {
    doc = parse(text)
  } catch (err) {
    throw badRequest(`Could not parse metadata.yaml: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw badRequest('Invalid image metadata: metadata.yaml must be a map')
  const o = doc as Record<string, unknown>
  const architecture = typeof o.architecture === 'string' ? o.architecture : ''
  if (architecture === '') throw badRequest('Invalid image metadata: architecture is missing')
  if (!architectureNames.has(architecture))
    throw badRequest(`Invalid image metadata: architecture "${architecture}" is not supported`)
  return {
    architecture,
    creation_date: epoch(o.creation_date, 'creation_date'),
    expiry_date: epoch(o.expiry_date, 'expiry_date'),
    properties: checkedProperties(stringMap(o.properties, 'property')),
    templates: templates(o.templates),
  }
}
