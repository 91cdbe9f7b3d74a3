// Unit tier: `corral project ...` against an in-memory server; expected text is what lxc 5.0.2 prints.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fakeWorld } from './helpers/run.js'

async function worldWithProjects() {
  const w = fakeWorld()
  await w.run(['project', 'create', 'pj1'])
  await w.run(['project', 'create', 'pj2', '-c', 'features.images=false', '-c', 'user.x=y'])
  return w
}

test('project create sends -c config and prints lxc message', async () => {
  const w = fakeWorld()
  const r = await w.run(['project', 'create', 'pj2', '-c', 'features.images=false', '-c', 'user.x=y'])
  assert.deepEqual(r, { stdout: 'Project pj2 created\n', stderr: '', code: 0 })
  assert.deepEqual(w.state.projects.get('pj2')!.config, { 'features.images': 'false', 'user.x': 'y' })
})

test('project list marks the current project and renders every format', async () => {
  const w = await worldWithProjects()
  const table = await w.run(['project', 'list'])
  assert.equal(
    table.stdout,
    `+-------------------+--------+----------+-----------------+----------+---------------------+---------+
|       NAME        | IMAGES | PROFILES | STORAGE VOLUMES | NETWORKS |     DESCRIPTION     | USED BY |
+-------------------+--------+----------+-----------------+----------+---------------------+---------+
| default (current) | YES    | YES      | YES             | YES      | Default LXD project | 1       |
+-------------------+--------+----------+-----------------+----------+---------------------+---------+
| pj1               | NO     | NO       | NO              | NO       |                     | 0       |
+-------------------+--------+----------+-----------------+----------+---------------------+---------+
| pj2               | NO     | NO       | NO              | NO       |                     | 0       |
+-------------------+--------+----------+-----------------+----------+---------------------+---------+
`,
  )
  assert.equal(
    (await w.run(['project', 'list', '-f', 'csv'])).stdout,
    'default (current),YES,YES,YES,YES,Default LXD project,1\npj1,NO,NO,NO,NO,,0\npj2,NO,NO,NO,NO,,0\n',
  )
  assert.equal(
    (await w.run(['project', 'list', '-f', 'compact'])).stdout.split('\n')[0],
    '        NAME         IMAGES  PROFILES  STORAGE VOLUMES  NETWORKS      DESCRIPTION      USED BY  ',
  )
  assert.ok(
    (await w.run(['project', 'list', '-f', 'json'])).stdout.startsWith(
      '[{"config":{"features.images":"true",',
    ),
  )
  assert.ok(
    (await w.run(['project', 'list', '-f', 'yaml'])).stdout.includes(
      '- config:\n    features.images: "false"\n    user.x: "y"\n  description: ""\n  name: pj2\n  used_by: []\n',
    ),
  )
})

test('project switch writes config.yml and moves the (current) marker', async () => {
  const w = await worldWithProjects()
  assert.deepEqual(await w.run(['project', 'switch', 'pj1']), { stdout: '', stderr: '', code: 0 })
  assert.equal(w.config.remotes.local!.project, 'pj1')
  const csv = (await w.run(['project', 'list', '-f', 'csv'])).stdout
  assert.ok(csv.startsWith('default,YES') && csv.includes('\npj1 (current),'))
  // --project changes the scope of requests, not the marker (as lxc)
  assert.ok(
    (await w.run(['project', 'list', '-f', 'csv', '--project', 'pj2'])).stdout.includes('pj1 (current)'),
  )
  const nope = await w.run(['project', 'switch', 'nope'])
  assert.deepEqual([nope.code, nope.stderr], [1, 'Error: Project not found\n'])
  assert.equal(w.config.remotes.local!.project, 'pj1')
})

test('project switch scopes later commands to that project', async () => {
  const w = await worldWithProjects()
  await w.run(['project', 'switch', 'pj2'])
  await w.run(['profile', 'create', 'only-here'])
  assert.ok(w.state.profiles.get('pj2')!.has('only-here'))
  assert.equal(
    (await w.run(['profile', 'list', '-f', 'csv', '--project', 'default'])).stdout,
    'default,Default LXD profile,0\n',
  )
})

test('project get, set, unset, show, rename and delete', async () => {
  const w = await worldWithProjects()
  assert.equal((await w.run(['project', 'set', 'pj2', 'user.z=1'])).code, 0)
  assert.equal((await w.run(['project', 'get', 'pj2', 'user.z'])).stdout, '1\n')
  w.state.calls.length = 0
  assert.equal((await w.run(['project', 'unset', 'pj2', 'user.z'])).code, 0)
  const put = w.state.calls.find((c) => c.method === 'PUT')!
  assert.equal((put.body as { config: Record<string, string> }).config['user.z'], '')
  assert.ok(put.etag)
  assert.equal(
    (await w.run(['project', 'show', 'pj2'])).stdout,
    'config:\n  features.images: "false"\n  user.x: "y"\ndescription: ""\nname: pj2\nused_by: []\n',
  )
  assert.equal((await w.run(['project', 'rename', 'pj2', 'pj3'])).stdout, 'Project pj2 renamed to pj3\n')
  assert.equal((await w.run(['project', 'delete', 'pj3'])).stdout, 'Project pj3 deleted\n')
  const def = await w.run(['project', 'rm', 'default'])
  assert.deepEqual([def.code, def.stderr], [1, "Error: The 'default' project cannot be deleted\n"])
})

test('project edit uses its own header and reads stdin when piped', async () => {
  const w = await worldWithProjects()
  await w.run(['project', 'edit', 'pj1'], {
    editor: (t) => t.replace('description: ""', 'description: hello'),
  })
  assert.ok(w.edited[0]!.startsWith('### This is a YAML representation of the project.\n'))
  assert.equal(w.state.projects.get('pj1')!.description, 'hello')
  await w.run(['project', 'edit', 'pj1'], { stdin: 'description: piped\nconfig:\n  user.a: 1\n' })
  assert.deepEqual(w.state.projects.get('pj1')!.config, { 'user.a': '1' })
})
