/** @module `monitor --pretty`: events as logrus text lines, the way lxc prints them. */
import type { Event } from '@corral/api'

const levels = ['trace', 'debug', 'info', 'warning', 'error', 'fatal', 'panic']
const levelRank = (l: string): number => levels.indexOf(l === 'warn' ? 'warning' : l === 'crit' ? 'fatal' : l)

/** True when a logging level is at least `min` (unknown levels always pass). */
export function levelAtLeast(level: string, min: string): boolean {
  const a = levelRank(level)
  const b = levelRank(min)
  return a < 0 || b < 0 || a >= b
}

/** Quotes a logrus value when it holds anything beyond [A-Za-z0-9-._/@^+]. */
export function logfmtValue(v: string): string {
  return /^[A-Za-z0-9\-._/@^+]*$/.test(v) ? v : JSON.stringify(v)
}

/** Formats a value as Go's fmt `%v` would (maps as `map[k:v]`, slices as `[a b]`). */
export function goFmt(v: unknown): string {
  if (v === null || v === undefined) return '<nil>'
  if (Array.isArray(v)) return `[${v.map(goFmt).join(' ')}]`
  if (typeof v === 'object') {
    const rec = v as Record<string, unknown>
    const keys = Object.keys(rec).sort()
    return `map[${keys.map((k) => `${k}:${goFmt(rec[k])}`).join(' ')}]`
  }
  return typeof v === 'string' ? v : JSON.stringify(v)
}

function goTime(iso: unknown): string {
  if (typeof iso !== 'string') return ''
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(iso)
  return m ? `${m[1]} ${m[2]}${m[3] ?? ''} +0000 UTC` : iso
}

function secondTime(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19)}Z`
}

function line(e: Event, level: string, msg: string, fields: [string, string][]): string {
  const extra = fields.map(([k, v]) => ` ${k}=${logfmtValue(v)}`).join('')
  return `time="${secondTime(e.timestamp)}" level=${level} msg=${JSON.stringify(msg)}${extra}\n`
}

/** One event as a pretty line, or undefined when --loglevel filters it out. */
export function prettyEvent(e: Event, minLevel = ''): string | undefined {
  const m = (e.metadata ?? {}) as Record<string, unknown>
  if (e.type === 'logging') {
    const level = typeof m.level === 'string' ? m.level : 'info'
    if (minLevel && !levelAtLeast(level, minLevel)) return undefined
    const ctx = (m.context ?? {}) as Record<string, unknown>
    const fields = Object.keys(ctx)
      .sort()
      .map((k): [string, string] => [k, goFmt(ctx[k])])
    return line(e, level, typeof m.message === 'string' ? m.message : '', fields)
  }
  if (e.type === 'lifecycle') {
    let msg = `Action: ${String(m.action)}, Source: ${String(m.source)}`
    const r = m.requestor as Record<string, unknown> | undefined
    if (r) msg += `, Requestor: ${String(r.protocol)}/${String(r.username)} (${String(r.address)})`
    const ctx = (m.context ?? {}) as Record<string, unknown>
    const fields = Object.keys(ctx)
      .sort()
      .map((k): [string, string] => [k, goFmt(ctx[k])])
    return line(e, 'info', msg, fields)
  }
  if (e.type === 'operation') {
    const msg = `ID: ${String(m.id)}, Class: ${String(m.class)}, Description: ${String(m.description)}`
    const fields: [string, string][] = [
      ['CreatedAt', goTime(m.created_at)],
      ['Err', goFmt(m.err ?? '')],
      ['Location', goFmt(m.location ?? '')],
      ['MayCancel', String(m.may_cancel)],
      ['Metadata', goFmt(m.metadata ?? {})],
      ['Resources', goFmt(m.resources ?? {})],
      ['Status', String(m.status)],
      ['StatusCode', String(m.status)],
      ['UpdatedAt', goTime(m.updated_at)],
    ]
    return line(e, 'info', msg, fields)
  }
  return line(e, 'info', JSON.stringify(e.metadata), [])
}
