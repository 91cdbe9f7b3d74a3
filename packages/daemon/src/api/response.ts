/** @module What handlers return; render.ts turns it into LXD's envelope. */
import type { Readable } from 'node:stream'
import type { LiveOperation } from '../operation/operation.js'

/** A handler's result. */
export type ApiResponse =
  | { kind: 'sync'; metadata: unknown; code: 200 | 201; etag?: string; location?: string }
  | { kind: 'async'; operation: LiveOperation; location: string }
  | { kind: 'raw'; code: number; headers: Record<string, string>; body: Buffer | Readable }

/** 200 with metadata, optionally with an ETag. */
export function sync(metadata: unknown, opts: { etag?: string } = {}): ApiResponse {
  return { kind: 'sync', metadata, code: 200, ...opts }
}

/** 201 with a Location header, as LXD answers a create. */
export function created(location: string): ApiResponse {
  return { kind: 'sync', metadata: {}, code: 201, location }
}

/** 200 with empty metadata. */
export function empty(): ApiResponse {
  return { kind: 'sync', metadata: {}, code: 200 }
}

/** 202 for a started operation. */
export function async(operation: LiveOperation): ApiResponse {
  return { kind: 'async', operation, location: `/1.0/operations/${operation.id}` }
}

/** A raw body (file contents) with its own headers, as LXD's file responses. */
export function raw(body: Buffer | Readable, headers: Record<string, string>, code = 200): ApiResponse {
  return { kind: 'raw', code, headers, body }
}
