// Unit tier: `corral security audit` renderings and exit status, and `corral warning` argument checks.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parse } from 'yaml'
import type { AuditFinding } from '@corral/api'
import { auditExitCode, renderFindings, warningShape, wrapText } from '@corral/cli'
import { fakeWorld } from './helpers/run.js'

const findings: AuditFinding[] = [
  {
    id: 'privileged-instance',
    severity: 'moderate',
    subject: '/1.0/instances/c1?project=default',
    message: 'c1 is privileged (security.privileged=true): its root is root on the host',
    fix: 'corral config unset c1 security.privileged && corral restart c1',
  },
  {
    id: 'nesting',
    severity: 'low',
    subject: '/1.0/instances/c2?project=default',
    message: 'c2 allows nesting (security.nesting=true): it can run containers of its own',
    fix: 'corral config unset c2 security.nesting',
  },
]

test('json, yaml and table print the same findings, in the server order', () => {
  assert.deepEqual(JSON.parse(renderFindings(findings, 'json')), findings)
  assert.deepEqual(parse(renderFindings(findings, 'yaml')), findings)
  const table = renderFindings(findings, 'table')
  assert.match(table, /^\+-+\+/)
  assert.match(table, /\| SEVERITY \|/)
  const rows = table.split('\n').filter((l) => /^\| (MODERATE|LOW) /.test(l))
  assert.deepEqual(
    rows.map((l) => l.split('|')[2]!.trim()),
    ['privileged-instance', 'nesting'],
  )
  // Each command of a fix on a line of its own, whole.
  assert.match(table, /corral config unset c1 security.privileged &&\s*\|\n.*corral restart c1\s*\|/)
  assert.deepEqual(JSON.parse(renderFindings([], 'json')), [])
  assert.deepEqual(parse(renderFindings([], 'yaml')), [])
})

test('exit status: 1 with a moderate or high finding, 0 with only low ones or none', () => {
  assert.equal(auditExitCode(findings), 1)
  assert.equal(auditExitCode(findings.slice(1)), 0)
  assert.equal(auditExitCode([]), 0)
  assert.equal(auditExitCode([{ ...findings[1]!, severity: 'high' }]), 1)
})

test('wrapText wraps at spaces within the width and keeps long words whole', () => {
  assert.equal(wrapText('aaa bbb ccc', 7), 'aaa bbb\nccc')
  assert.equal(wrapText('a-very-long-word b', 4), 'a-very-long-word\nb')
})

test('warningShape keeps Go field order and times', () => {
  const shape = warningShape(
    {
      status: 'new',
      uuid: 'u1',
      location: 'none',
      project: '',
      type: 'security: nesting',
      count: 1,
      first_seen_at: '2026-12-01T10:00:00.120Z',
      last_seen_at: '2026-12-01T10:00:00.000Z',
      last_message: 'm',
      severity: 'low',
      entity_url: '/1.0/instances/c2?project=default',
    },
    true,
  )
  assert.deepEqual([...shape.keys()].slice(0, 3), ['status', 'uuid', 'location'])
  assert.equal(shape.get('first_seen_at'), '2026-12-01T10:00:00.12Z')
  assert.equal(shape.get('last_seen_at'), '2026-12-01T10:00:00Z')
})

test('bad arguments: an unknown format, column L off a cluster, a missing uuid', async () => {
  const w = fakeWorld()
  const format = await w.run(['security', 'audit', '--format', 'csv'])
  assert.equal(format.code, 1)
  assert.equal(format.stderr, 'Error: Invalid format "csv"\n')
  const col = await w.run(['warning', 'list', '-c', 'uL'])
  assert.equal(col.stderr, "Error: Can't specify column L when not clustered\n")
  const missing = await w.run(['warning', 'show'])
  assert.equal(missing.code, 0)
  assert.match(missing.stdout, /Usage:/)
})
