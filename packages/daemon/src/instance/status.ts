/** @module Instance status names and their LXD status codes. */
import { StatusCode } from '@corral/api'
import type { InstanceStatus } from './lxc/runtime.js'

/** The status code LXD reports for an instance status. */
export function statusCodeOf(status: InstanceStatus): number {
  return {
    Running: StatusCode.Running,
    Stopped: StatusCode.Stopped,
    Frozen: StatusCode.Frozen,
    Error: StatusCode.Error,
  }[status]
}
