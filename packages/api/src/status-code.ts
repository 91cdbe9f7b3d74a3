/** @module LXD's operation and response status codes (shared/api/status_code.go). */

/** Numeric status codes carried in `status_code` fields. */
export const StatusCode = {
  OperationCreated: 100,
  Started: 101,
  Stopped: 102,
  Running: 103,
  Cancelling: 104,
  Pending: 105,
  Starting: 106,
  Stopping: 107,
  Aborting: 108,
  Freezing: 109,
  Frozen: 110,
  Thawed: 111,
  Error: 112,
  Ready: 113,
  Success: 200,
  Failure: 400,
  Cancelled: 401,
} as const

/** One of LXD's status code numbers. */
export type StatusCodeValue = (typeof StatusCode)[keyof typeof StatusCode]

const names: Record<number, string> = {
  100: 'Operation created',
  101: 'Started',
  102: 'Stopped',
  103: 'Running',
  104: 'Cancelling',
  105: 'Pending',
  106: 'Starting',
  107: 'Stopping',
  108: 'Aborting',
  109: 'Freezing',
  110: 'Frozen',
  111: 'Thawed',
  112: 'Error',
  113: 'Ready',
  200: 'Success',
  400: 'Failure',
  401: 'Cancelled',
}

/** The text LXD shows for a status code (`status` fields). */
export function statusText(code: number): string {
  return names[code] ?? ''
}
