/** @module `corral security audit`: the daemon's findings against LXD's security advice, and the fix for each. */
import { ApiError, type AuditFinding } from '@corral/api'
import type { CommandDefinition, CommandGroup } from '../command.js'
import { struct } from '../render/go-value.js'
import { textThenExit } from '../render/result.js'
import { renderTable } from '../render/table.js'
import { toYaml } from '../render/yaml.js'
import { remoteClient } from './common.js'

/** The formats the audit prints. */
const auditFormats = ['table', 'json', 'yaml'] as const

const fields = ['id', 'severity', 'subject', 'message', 'fix'] as const

/** Wraps text at spaces to lines of at most `width` columns (a word longer than that keeps its line). */
export function wrapText(text: string, width: number): string {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  return [...lines, line].join('\n')
}

/** Renders findings in a format: the same findings, in the server's order (most severe first), in each. */
export function renderFindings(findings: readonly AuditFinding[], format: string): string {
  if (format === 'json')
    return `${JSON.stringify(findings.map((f) => Object.fromEntries(fields.map((k) => [k, f[k]]))))}\n`
  if (format === 'yaml')
    return findings.length === 0 ? '[]\n' : toYaml(findings.map((f) => struct(f, fields)))
  return renderTable({
    header: ['SEVERITY', 'ID', 'SUBJECT', 'MESSAGE', 'FIX'],
    rows: findings.map((f) => [
      f.severity.toUpperCase(),
      f.id,
      f.subject,
      wrapText(f.message, 60),
      // One command a line, so each can be copied whole.
      f.fix.split(' && ').join(' &&\n'),
    ]),
  })
}

/** 1 when any finding is moderate or high, else 0. */
export function auditExitCode(findings: readonly AuditFinding[]): number {
  return findings.some((f) => f.severity !== 'low') ? 1 : 0
}

/** `corral security audit [<remote>:]`. */
export const securityAudit: CommandDefinition = {
  names: ['audit'],
  usage: '[<remote>:]',
  short: "Check the server against LXD's security advice",
  long: `Check the server against LXD's security advice

The daemon reads the running system (the OS packages, the release, who can reach
its socket and its remote API, trusted certificates, instances and networks) and
reports each finding with the entity it concerns and the command that fixes it.
The command exits 1 when a finding is moderate or high, else 0.

The same findings are the server's "security: <id>" warnings (corral warning list).`,
  examples: 'corral security audit\ncorral security audit --format json',
  args: { min: 0, max: 1 },
  flags: [
    {
      long: 'format',
      short: 'f',
      type: 'string',
      default: 'table',
      description: `Format (${auditFormats.join('|')})`,
    },
  ],
  async run(ctx, args, flags) {
    const format = typeof flags.format === 'string' ? flags.format : 'table'
    if (!(auditFormats as readonly string[]).includes(format)) throw new Error(`Invalid format "${format}"`)
    const client = await remoteClient(ctx, args[0])
    let findings: AuditFinding[]
    try {
      findings = await client.security.audit()
    } catch (err) {
      if (err instanceof ApiError && err.status === 404)
        throw new Error('The server is missing the required "corral_security_audit" API extension', {
          cause: err,
        })
      throw err
    }
    return textThenExit(renderFindings(findings, format), auditExitCode(findings))
  },
}

/** `corral security`. */
export const security: CommandGroup = {
  names: ['security'],
  short: 'Check the security of the server',
  subcommands: [securityAudit],
}
