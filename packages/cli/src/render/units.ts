/** @module lxc's value formats: byte sizes (IEC), local times, image dates. */

/** A size as LXD's GetByteSizeStringIEC prints it: `694B`, `764.00KiB`, `1.77MiB`. */
export function byteSizeIEC(input: number, precision = 2): string {
  if (input < 1024) return `${input}B`
  let value = input
  for (const unit of ['KiB', 'MiB', 'GiB', 'TiB', 'PiB']) {
    value /= 1024
    if (value < 1024) return `${value.toFixed(precision)}${unit}`
  }
  return `${(value / 1024).toFixed(precision)}EiB`
}

/** True when a Go time is set (not the zero time, not empty). */
export function timeIsSet(iso: string | undefined | null): iso is string {
  if (!iso || iso.startsWith('0001-01-01')) return false
  return !Number.isNaN(Date.parse(iso)) && Date.parse(iso) > 0
}

function parts(date: Date, opts: Intl.DateTimeFormatOptions): Record<string, string> {
  const out: Record<string, string> = {}
  for (const p of new Intl.DateTimeFormat('en-US', { ...opts, hourCycle: 'h23' }).formatToParts(date))
    out[p.type] = p.value
  return out
}

/** Go's `2006/01/02 15:04 MST` in local time, as lxc prints creation and use times. */
export function localTime(iso: string): string {
  const p = parts(new Date(iso), {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  })
  return `${p.year}/${p.month}/${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}`
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** Go's `Jan 2, 2006 at 3:04pm (MST)` in UTC, as `image list` prints upload dates. */
export function imageDate(iso: string): string {
  const d = new Date(iso)
  const h = d.getUTCHours()
  const hour12 = h % 12 === 0 ? 12 : h % 12
  const minute = String(d.getUTCMinutes()).padStart(2, '0')
  return `${months[d.getUTCMonth()]!} ${d.getUTCDate()}, ${d.getUTCFullYear()} at ${hour12}:${minute}${h < 12 ? 'am' : 'pm'} (UTC)`
}
