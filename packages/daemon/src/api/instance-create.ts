/** @module The fields every POST /1.0/instances source shares (name, config, devices, profiles), parsed once. */
import { badRequest } from '@corral/api'
import type { NewInstanceFields } from '../instance/lifecycle.js'
import { randomInstanceName } from '../instance/names.js'
import { validateInstanceName } from '../util/names.js'
import type { ApiRequest } from './endpoint.js'
import type { ApiResponse } from './response.js'
import { devicesField, stringField, stringList, stringMapField } from './body.js'

/** An optional boolean; false when absent. */
export function boolField(body: Record<string, unknown>, field: string): boolean {
  const v = body[field]
  if (v === undefined || v === null) return false
  if (typeof v !== 'boolean') throw badRequest(`Invalid value for field "${field}": must be a boolean`)
  return v
}

/** The shared fields of a create body; the name is checked (a random one when absent). */
export function parseCommon(body: Record<string, unknown>): NewInstanceFields {
  const name = stringField(body, 'name') || randomInstanceName()
  validateInstanceName(name)
  const type = stringField(body, 'type')
  if (type !== '' && type !== 'container')
    throw badRequest(`Instance type "${type}" is not supported (only containers)`)
  return {
    name,
    description: stringField(body, 'description'),
    config: stringMapField(body, 'config'),
    devices: devicesField(body),
    profiles: stringList(body, 'profiles') ?? ['default'],
    ephemeral: boolField(body, 'ephemeral'),
  }
}

/** The `source` object of a create body (400 when missing). */
export function sourceOf(body: Record<string, unknown>): Record<string, unknown> {
  const source = body.source
  if (source === null || typeof source !== 'object' || Array.isArray(source))
    throw badRequest('Missing or invalid "source"')
  return source as Record<string, unknown>
}

/** Handles one source type: validates synchronously (4xx before any operation), then starts the work. */
export type InstanceSource = (
  req: ApiRequest,
  common: NewInstanceFields,
  source: Record<string, unknown>,
  /** The whole body, for a source that reads more of it (migration: architecture, base image). */
  body: Record<string, unknown>,
) => Promise<ApiResponse>
