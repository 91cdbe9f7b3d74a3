/** @module Endpoint tables: path → method → { access, handler }, access required by the type. */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import type { WebSocket } from 'ws'
import type { Requestor } from '@corral/api'
import type { State } from '../state.js'
import type { Access, Identity } from './access.js'
import type { ApiResponse } from './response.js'

/** A parsed request as handlers see it. */
export interface ApiRequest {
  method: string
  path: string
  params: Readonly<Record<string, string>>
  query: URLSearchParams
  headers: IncomingHttpHeaders
  identity: Identity
  state: State
  /** The parsed JSON body (400 on malformed JSON, 413 when too large). */
  json(): Promise<unknown>
  /** The `?project=` parameter, `default` when absent. */
  project(): string
  /** The requestor recorded on operations and events. */
  requestor(): Requestor
  raw: IncomingMessage
}

/** One HTTP method's action. */
export interface Action {
  access: Access
  handler: (req: ApiRequest) => Promise<ApiResponse> | ApiResponse
}

/** A websocket endpoint's action; the socket is already upgraded. */
export interface SocketAction {
  access: Access
  /** Refuses a bad request with an HTTP error before the upgrade. */
  check?: (req: ApiRequest) => void
  /** Largest frame a client may send, in bytes (default `defaultMaxFrame`); a bigger one closes the socket. */
  maxPayload?: number
  handler: (req: ApiRequest, ws: WebSocket) => void
}

/** The HTTP methods an endpoint may declare. */
export type Method = 'get' | 'put' | 'patch' | 'post' | 'delete'

/** An endpoint: a path pattern with `{param}` segments and its actions. */
export interface Endpoint {
  path: string
  actions: Partial<Record<Method, Action>>
  /** Present for endpoints served as a websocket on GET with Upgrade. */
  websocket?: SocketAction
}

/** Declares an endpoint. */
export function endpoint(
  path: string,
  actions: Partial<Record<Method, Action>>,
  websocket?: SocketAction,
): Endpoint {
  return websocket ? { path, actions, websocket } : { path, actions }
}
