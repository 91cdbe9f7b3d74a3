/** @module What a check returns, the subjects it names and the fix commands it writes. */
import type { AuditFinding, WarningSeverity } from '@corral/api'

/** A finding, with the project its warning belongs to ('' for server-wide ones). */
export interface Finding extends AuditFinding {
  project: string
}

/** The subject of server-wide findings. */
export const serverSubject = '/1.0'

/** An instance's API URL, always with its project so the subject is unambiguous. */
export function instanceSubject(project: string, name: string): string {
  return `/1.0/instances/${encodeURIComponent(name)}?project=${encodeURIComponent(project)}`
}

/** A managed network's API URL (networks belong to the default project). */
export function networkSubject(name: string): string {
  return `/1.0/networks/${encodeURIComponent(name)}?project=default`
}

/** A trusted certificate's API URL. */
export function certificateSubject(fingerprint: string): string {
  return `/1.0/certificates/${fingerprint}`
}

/** One word for a POSIX shell: left bare when it is safe, else single-quoted. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@,+%-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

/** A `corral` command line, with `--project` outside the default project. */
export function corral(project: string | undefined, ...words: string[]): string {
  const scope = project && project !== 'default' ? ['--project', project] : []
  return ['corral', ...scope, ...words].map(shellWord).join(' ')
}

/** Joins fix commands so that the whole line runs them in order, stopping at the first failure. */
export function allOf(commands: readonly string[]): string {
  return [...new Set(commands)].join(' && ')
}

const rank: Record<WarningSeverity, number> = { high: 0, moderate: 1, low: 2 }

/** Orders findings: most severe first, then by id and subject, so every format lists them alike. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      rank[a.severity] - rank[b.severity] || a.id.localeCompare(b.id) || a.subject.localeCompare(b.subject),
  )
}

/** The list of names a message shows: the first few, then how many more. */
export function namesOf(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).join(', ')
  return names.length > max ? `${shown} and ${names.length - max} more` : shown
}
