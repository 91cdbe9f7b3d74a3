/** @module Lifecycle events, one constructor for every entity action LXD reports. */
import type { EventLifecycle, Requestor } from '@corral/api'
import type { EventHub } from './hub.js'

/** What a lifecycle event needs besides its action and source. */
export interface LifecycleOptions {
  project?: string
  requestor: Requestor
  context?: Record<string, unknown>
}

/** The URL of an entity, with `?project=` outside the default project, as LXD writes sources. */
export function entityUrl(path: string, project?: string): string {
  return project && project !== 'default' ? `${path}?project=${encodeURIComponent(project)}` : path
}

/** Publishes a lifecycle event such as `profile-created` for `/1.0/profiles/p1`. */
export function publishLifecycle(
  hub: EventHub,
  action: string,
  source: string,
  opts: LifecycleOptions,
): void {
  const metadata: EventLifecycle = { action, source, context: opts.context ?? {}, requestor: opts.requestor }
  hub.publish('lifecycle', metadata, opts.project ?? 'default')
}
