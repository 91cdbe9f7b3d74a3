/** @module Checks of request body shapes; every failure is a 400 naming the field. */
import { badRequest } from '@corral/api'

/** Requires a JSON object body. */
export function asObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object')
  }
  return body as Record<string, unknown>
}

/** An optional string field; `fallback` when absent. */
export function stringField(body: Record<string, unknown>, field: string, fallback = ''): string {
  const v = body[field]
  if (v === undefined || v === null) return fallback
  if (typeof v !== 'string') throw badRequest(`Invalid value for field "${field}": must be a string`)
  return v
}

/** An optional map of strings (`config`); `{}` when absent. */
export function stringMapField(body: Record<string, unknown>, field: string): Record<string, string> {
  const v = body[field]
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object' || Array.isArray(v))
    throw badRequest(`Invalid value for field "${field}": must be a map`)
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') {
      throw badRequest(`Invalid value for field "${field}": key "${k}" must have a string value`)
    }
  }
  return v as Record<string, string>
}

/** An optional map of device maps (`devices`); `{}` when absent. */
export function devicesField(body: Record<string, unknown>): Record<string, Record<string, string>> {
  const v = body.devices
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object' || Array.isArray(v))
    throw badRequest('Invalid value for field "devices": must be a map')
  const out: Record<string, Record<string, string>> = {}
  for (const name of Object.keys(v)) out[name] = stringMapField(v as Record<string, unknown>, name)
  return out
}

/** A required, non-empty `name`-like string field. */
export function requiredString(body: Record<string, unknown>, field: string, missing: string): string {
  const v = stringField(body, field)
  if (v === '') throw badRequest(missing)
  return v
}

/** An optional list of strings; undefined when absent. */
export function stringList(body: Record<string, unknown>, field: string): string[] | undefined {
  const v = body[field]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw badRequest(`Invalid value for field "${field}": must be a list of strings`)
  return v as string[]
}
