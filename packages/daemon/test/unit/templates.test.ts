/** @module Unit tier: image templates rendered with LXD's contexts, and what a hostile template cannot do. */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { renderTemplate, type TemplateContext } from '../../src/instance/template-engine.js'
import { prepareTemplateWorkers, renderInWorker, treePath } from '../../src/instance/templates.js'

const ctx: TemplateContext = {
  trigger: 'create',
  path: '/etc/hostname',
  container: {
    name: 'c1',
    type: 'container',
    architecture: 'x86_64',
    ephemeral: 'false',
    privileged: 'false',
  },
  config: { 'user.meta-data': 'a: 1\r\n', 'limits.cpu': '1' },
  devices: { eth0: { type: 'nic', network: 'br0' }, root: { type: 'disk', path: '/', pool: 'p' } },
  properties: { default: '#cloud-config\n{}' },
}

const scratch = mkdtempSync(join(tmpdir(), 'corral-tpl-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

test('renderTemplate() gives the container, config, devices and properties contexts as LXD', () => {
  assert.equal(renderTemplate('{{ container.name }}\n', ctx), 'c1\n')
  assert.equal(
    renderTemplate('127.0.1.1\t{{ instance.name }}\n127.0.0.1\tlocalhost\n', ctx),
    '127.0.1.1\tc1\n127.0.0.1\tlocalhost\n',
  )
  assert.equal(
    renderTemplate('{{ trigger }} {{ path }} {{ container.privileged }}', ctx),
    'create /etc/hostname false',
  )
  assert.equal(renderTemplate('{{ config["limits.cpu"] }}', ctx), '1')
  assert.equal(
    renderTemplate('{% for name, d in devices.items() %}{{ name }}={{ d.type }};{% endfor %}', ctx),
    'eth0=nic;root=disk;',
  )
  assert.equal(
    renderTemplate('{% if instance.type == "virtual-machine" %}enp5s0{% else %}eth0{% endif %}', ctx),
    'eth0',
  )
})

test('renderTemplate() has config_get(key, default) and keeps whitespace as pongo2 does', () => {
  assert.equal(
    renderTemplate('{{ config_get("user.meta-data", "") }}|', ctx),
    'a: 1|',
    'trailing CR LF trimmed',
  )
  assert.equal(renderTemplate('{{ config_get("user.nope", properties.default) }}', ctx), '#cloud-config\n{}')
  assert.equal(renderTemplate('{{ config_get("user.nope") }}|', ctx), '|')
  // distrobuilder's cloud-init template, with {%- -%} trimming.
  const userData =
    '{%- if config_get("cloud-init.user-data", properties.default) == properties.default -%}\n' +
    '{{ config_get("user.user-data", properties.default) }}\n' +
    '{%- else -%}\n{{- config_get("cloud-init.user-data", properties.default) }}\n{%- endif %}\n'
  assert.equal(renderTemplate(userData, ctx), '#cloud-config\n{}\n')
  assert.equal(
    renderTemplate('{% if container.name %}\nyes\n{% endif %}\n', ctx),
    '\nyes\n\n',
    'no trim_blocks',
  )
  assert.equal(renderTemplate('<&>"{{ "<b>" }}', ctx), '<&>"<b>', 'no autoescaping')
})

test('a hostile template cannot include host files nor reach JavaScript', () => {
  for (const tpl of [
    '{% include "/etc/passwd" %}',
    '{% import "/etc/passwd" as p %}',
    '{% extends "/etc/hostname" %}',
  ])
    assert.throws(() => renderTemplate(tpl, ctx), /Unknown statement type/, tpl)
  const marker = join(scratch, 'reached')
  const code = `require('fs').writeFileSync('${marker}', 'x')`
  for (const tpl of [
    `{{ "".constructor.constructor("${code}")() }}`,
    `{{ config_get.constructor("${code}")() }}`,
    `{{ container.constructor.constructor("${code}")() }}`,
    `{{ range.constructor("${code}")() }}`,
  ])
    assert.throws(() => renderTemplate(tpl, ctx), /not a function/, tpl)
  for (const tpl of [
    '{{ container.__proto__ }}',
    '{{ config.constructor }}',
    '{{ devices.eth0.__proto__.constructor }}',
    '{{ process }}{{ globalThis }}{{ require }}{{ import }}{{ cycler }}',
  ])
    assert.equal(renderTemplate(tpl, ctx), '', tpl)
  assert.equal(existsSync(marker), false, 'nothing ran on the host')
})

test('treePath() keeps a template path inside its tree: no "..", no NUL, never empty', () => {
  assert.equal(treePath('/etc/hostname', 'template target'), '/etc/hostname')
  assert.equal(treePath('etc//./hosts', 'template target'), '/etc/hosts')
  for (const bad of ['/../etc/passwd', '/etc/../../x', '..', '/', '', '/etc/a\0b'])
    assert.throws(() => treePath(bad, 'template target'), /Invalid template target/, JSON.stringify(bad))
})

test('renderInWorker() renders a batch in order and stops a template that runs too long', async () => {
  assert.deepEqual(
    await renderInWorker([
      { source: '{{ container.name }}\n', ctx },
      { source: '{{ config_get("limits.cpu", "") }}', ctx },
    ]),
    ['c1\n', '1'],
  )
  const ten = '[0,1,2,3,4,5,6,7,8,9]'
  const loops = Array.from({ length: 9 }, (_, i) => `{% for i${i} in ${ten} %}`).join('')
  const ends = '{% endfor %}'.repeat(9)
  const started = Date.now()
  await assert.rejects(
    renderInWorker([{ source: `${loops}x${ends}`, ctx }], { timeoutMs: 500, heapMb: 32 }),
    (err: Error & { status?: number }) => err.status === 400 && /took longer than 0\.5s/.test(err.message),
  )
  assert.ok(Date.now() - started < 5000, 'the worker is stopped at the limit')
  await assert.rejects(
    renderInWorker([{ source: '{% include "/etc/passwd" %}', ctx }]),
    /Failed to render template: .*Unknown statement type/,
  )
})

test('renderInWorker() keeps workers between batches: a failed batch, then concurrent ones, each get their own results', async () => {
  prepareTemplateWorkers()
  await assert.rejects(renderInWorker([{ source: '{% if %}', ctx }]), /Failed to render template/)
  const names = Array.from({ length: 6 }, (_, i) => `c${i}`)
  const texts = await Promise.all(
    names.map((name) =>
      renderInWorker([
        {
          source: '{% set seen = container.name %}{{ seen }}',
          ctx: { ...ctx, container: { ...ctx.container, name } },
        },
        { source: '{{ seen | default("unset") }}', ctx },
      ]),
    ),
  )
  // What one template set is not seen by the next one, in the same batch or a later one.
  assert.deepEqual(
    texts,
    names.map((name) => [name, 'unset']),
  )
})
