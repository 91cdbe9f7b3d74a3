/** @module Unit tier: syncWarnings on a real SQLite file: raise, keep, resolve, raise again, leave unknown ones, prune. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { openDatabase } from '../../src/db/db.js'
import { listWarnings } from '../../src/db/warnings.js'
import { EventHub } from '../../src/events/hub.js'
import type { State } from '../../src/state.js'
import { setWarningStatus, syncWarnings, type RaisedWarning } from '../../src/warning/service.js'

const w = (id: string, extra: Partial<RaisedWarning> = {}): RaisedWarning => ({
  type: `security: ${id}`,
  severity: 'moderate',
  project: 'default',
  entityUrl: `/1.0/instances/c1?project=default`,
  message: `${id} seen`,
  ...extra,
})

test('syncWarnings raises, keeps, resolves, raises again, leaves unknown types alone and prunes after a day', () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-wsync-'))
  const db = openDatabase(dir)
  // Only the database and the event hub are used.
  const state = { db, events: new EventHub() } as unknown as State
  const t0 = new Date('2026-12-01T10:00:00Z')
  const later = (minutes: number) => new Date(t0.getTime() + minutes * 60_000)
  const rows = () => listWarnings(db, { typePrefix: 'security: ' })
  const sync = (raised: RaisedWarning[], now: Date, unknown: string[] = []) =>
    syncWarnings(state, { typePrefix: 'security: ', raised, now, unknown })
  try {
    assert.equal(sync([w('a'), w('b'), { ...w('a') }], t0), true)
    assert.deepEqual(
      rows().map((r) => [r.type, r.status, r.count]),
      [
        ['security: a', 'new', 1],
        ['security: b', 'new', 1],
      ],
    )
    assert.equal(sync([w('a'), w('b')], later(1)), false, 'nothing changed, nothing written')
    assert.equal(rows()[0]!.last_seen_at, t0.toISOString())
    sync([w('a', { message: 'a changed', severity: 'high' }), w('b')], later(2))
    assert.deepEqual([rows()[0]!.last_message, rows()[0]!.severity], ['a changed', 'high'])
    setWarningStatus(state, rows()[1]!.uuid, 'acknowledged', {
      username: 'root',
      protocol: 'unix',
      address: '@',
    })
    // b gone: resolved; a, unknown this time, is left as it is.
    sync([], later(3), ['security: a'])
    assert.deepEqual(
      rows().map((r) => r.status),
      ['new', 'resolved'],
    )
    sync([w('b')], later(4), ['security: a'])
    const b = rows()[1]!
    assert.deepEqual([b.status, b.count, b.first_seen_at], ['new', 2, t0.toISOString()])
    // Not other families' warnings.
    syncWarnings(state, { typePrefix: 'other: ', raised: [], now: later(5) })
    assert.equal(rows().length, 2)
    sync([], later(6))
    assert.deepEqual(
      rows().map((r) => r.status),
      ['resolved', 'resolved'],
    )
    sync([], later(6 + 23 * 60))
    assert.equal(rows().length, 2, 'kept for a day')
    sync([], later(6 + 24 * 60))
    assert.equal(rows().length, 0, 'pruned after a day')
  } finally {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
