/** @module A transfer's progress as LXD reports it in an operation's `fs_progress`: `NAME: 12.34MB (5.60MB/s)`. */

/** LXD's byte sizes: decimal units, two decimals. */
export function byteSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB']
  let i = 0
  let v = n
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  return i === 0 ? `${n}B` : `${v.toFixed(2)}${units[i]}`
}

/** Counts the bytes of one volume's pass and reports them at most once a second. */
export function progressCounter(name: string, report?: (text: string) => void): (bytes: number) => void {
  if (!report) return () => undefined
  const start = Date.now()
  let total = 0
  let last = 0
  return (bytes) => {
    total += bytes
    const now = Date.now()
    if (now - last < 1000) return
    last = now
    const speed = total / Math.max((now - start) / 1000, 0.001)
    report(`${name}: ${byteSize(total)} (${byteSize(Math.round(speed))}/s)`)
  }
}
