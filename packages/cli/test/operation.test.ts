// Unit tier: `corral operation ...` against an in-memory server; expected text is what lxc 5.0.2 prints.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Operation } from '@corral/api'
import { fakeWorld } from './helpers/run.js'

function tokenOp(id: string, created: string): Operation {
  return {
    id,
    class: 'token',
    description: 'Executing operation',
    created_at: created,
    updated_at: created,
    status: 'Running',
    status_code: 103,
    resources: null,
    metadata: { addresses: ['127.0.0.1:18443'], request: { name: 'tok 2', projects: [] } },
    may_cancel: true,
    err: '',
    location: 'none',
  }
}

function world() {
  const w = fakeWorld()
  w.state.operations.push(tokenOp('f89c8ac1-b20f-406b-a18b-cc39d53095af', '2026-11-28T17:24:21.924990777Z'))
  w.state.operations.push(tokenOp('8dafa300-2d02-497e-b751-a3bb8ccc2095', '2026-11-28T17:24:21.913869688Z'))
  return w
}

test('operation list prints an empty table with headers only', async () => {
  const w = fakeWorld()
  assert.equal(
    (await w.run(['operation', 'list'])).stdout,
    '+----+------+-------------+--------+------------+---------+\n| ID | TYPE | DESCRIPTION | STATUS | CANCELABLE | CREATED |\n+----+------+-------------+--------+------------+---------+\n',
  )
  assert.equal((await w.run(['operation', 'list', '-f', 'csv'])).stdout, '')
  assert.equal((await w.run(['operation', 'list', '-f', 'json'])).stdout, '[]\n')
  assert.equal((await w.run(['operation', 'list', '-f', 'yaml'])).stdout, '[]\n')
  assert.equal(
    (await w.run(['operation', 'list', '-f', 'compact'])).stdout,
    '  ID  TYPE  DESCRIPTION  STATUS  CANCELABLE  CREATED  \n',
  )
})

test('operation list sorts table rows and keeps server order for json', async () => {
  const w = world()
  assert.equal(
    (await w.run(['operation', 'list'])).stdout,
    `+--------------------------------------+-------+---------------------+---------+------------+----------------------+
|                  ID                  | TYPE  |     DESCRIPTION     | STATUS  | CANCELABLE |       CREATED        |
+--------------------------------------+-------+---------------------+---------+------------+----------------------+
| 8dafa300-2d02-497e-b751-a3bb8ccc2095 | TOKEN | Executing operation | RUNNING | YES        | 2026/11/28 17:24 UTC |
+--------------------------------------+-------+---------------------+---------+------------+----------------------+
| f89c8ac1-b20f-406b-a18b-cc39d53095af | TOKEN | Executing operation | RUNNING | YES        | 2026/11/28 17:24 UTC |
+--------------------------------------+-------+---------------------+---------+------------+----------------------+
`,
  )
  assert.equal(
    (await w.run(['operation', 'list', '-f', 'csv'])).stdout,
    '8dafa300-2d02-497e-b751-a3bb8ccc2095,TOKEN,Executing operation,RUNNING,YES,2026/11/28 17:24 UTC\n' +
      'f89c8ac1-b20f-406b-a18b-cc39d53095af,TOKEN,Executing operation,RUNNING,YES,2026/11/28 17:24 UTC\n',
  )
  const json = (await w.run(['operation', 'list', '-f', 'json'])).stdout
  assert.ok(
    json.startsWith(
      '[{"id":"f89c8ac1-b20f-406b-a18b-cc39d53095af","class":"token","description":"Executing operation","created_at":"2026-11-28T17:24:21.924990777Z",',
    ),
  )
  assert.ok(json.includes('"resources":null,"metadata":{"addresses":["127.0.0.1:18443"]'))
})

test('operation show prints times unquoted and a nil resources map as {}', async () => {
  const r = await world().run(['operation', 'show', '8dafa300-2d02-497e-b751-a3bb8ccc2095'])
  assert.equal(
    r.stdout,
    `id: 8dafa300-2d02-497e-b751-a3bb8ccc2095
class: token
description: Executing operation
created_at: 2026-11-28T17:24:21.913869688Z
updated_at: 2026-11-28T17:24:21.913869688Z
status: Running
status_code: 103
resources: {}
metadata:
  addresses:
  - 127.0.0.1:18443
  request:
    name: tok 2
    projects: []
may_cancel: true
err: ""
location: none
`,
  )
})

test('operation delete cancels and reports; unknown ids fail', async () => {
  const w = world()
  const r = await w.run(['operation', 'cancel', '8dafa300-2d02-497e-b751-a3bb8ccc2095'])
  assert.equal(r.stdout, 'Operation 8dafa300-2d02-497e-b751-a3bb8ccc2095 deleted\n')
  assert.equal(w.state.operations[1]!.status, 'Cancelled')
  const nope = await w.run(['operation', 'delete', 'nope'])
  assert.deepEqual([nope.code, nope.stderr], [1, 'Error: Operation not found\n'])
})
