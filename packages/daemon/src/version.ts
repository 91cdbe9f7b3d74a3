/** @module Release data: the version, its kind and its support end, shown by every front end. */

/** What kind of release this is, as LXD distinguishes them. */
export type ReleaseKind = 'lts' | 'feature'

/** The running release. Feature releases are supported until the next one (about a month). */
export const release = {
  version: '0.1.0',
  kind: 'feature' as ReleaseKind,
  supportEnd: '2027-01-31',
}

/** True when today is past the release's support end. */
export function isPastSupportEnd(now = new Date()): boolean {
  return now.getTime() > new Date(`${release.supportEnd}T23:59:59Z`).getTime()
}
