// Unit tier: renderers against text captured from lxc 5.0.2 (go-yaml v2, Go JSON, tablewriter, encoding/csv).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import type { Profile, Server } from '@corral/api'
import {
  goJson,
  goSortKeys,
  naturalCompare,
  profileShape,
  renderCompact,
  renderCsv,
  renderTable,
  scalarStyle,
  serverShape,
  toYaml,
} from '@corral/cli'

const fixture = (name: string): string =>
  fs.readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8')

test('toYaml() prints a profile byte for byte as lxc profile show (quoting, folding, literals)', () => {
  const profile = JSON.parse(fixture('profile-quoting.json.txt')) as Profile
  assert.equal(toYaml(profileShape(profile)), fixture('profile-quoting.yaml.txt'))
})

test('toYaml() prints GET /1.0 byte for byte as lxc info', () => {
  const server = JSON.parse(fixture('lxd-server.json.txt')) as Server
  assert.equal(toYaml(serverShape(server)), fixture('lxd-info.yaml.txt'))
})

test('scalarStyle() quotes what go-yaml v2 would read back as another type', () => {
  const cases: [string, string][] = [
    ['y', 'double'],
    ['Off', 'double'],
    ['12', 'double'],
    ['0x1F', 'double'],
    ['1_000', 'double'],
    ['2001-01-01', 'double'],
    ['1:20', 'double'],
    ['.5', 'double'],
    ['', 'double'],
    ['<<', 'plain'],
    ['x:y', 'plain'],
    ['?x', 'plain'],
    ['-', 'single'],
    ['a: b', 'single'],
    [' lead', 'single'],
    ['tab\there', 'double'],
    ['a\nb', 'literal'],
    ['a \nb', 'double'],
    ['ñandú', 'plain'],
    ['😀', 'double'],
  ]
  for (const [input, style] of cases) assert.equal(scalarStyle(input), style, JSON.stringify(input))
})

test('toYaml() writes empty collections in flow style and escapes non-printables', () => {
  assert.equal(toYaml({ a: {}, b: [], c: null, d: true, e: 3 }), 'a: {}\nb: []\nc: null\nd: true\ne: 3\n')
  assert.equal(toYaml({ k: '\u0001x' }), 'k: "\\x01x"\n')
  assert.equal(toYaml([['a', 'b'], { k: 'v', l: 'w' }]), '- - a\n  - b\n- k: v\n  l: w\n')
})

test('goSortKeys() sorts like go-yaml v2 (digit runs by value, non-letters first)', () => {
  assert.deepEqual(goSortKeys(['a10', 'a9', 'a.b', 'ab', 'a']), ['a', 'a.b', 'a9', 'a10', 'ab'])
})

test('goJson() escapes as Go and indents with tabs for query', () => {
  assert.equal(goJson({ b: '<&>', a: [1] }), '{"a":[1],"b":"\\u003c\\u0026\\u003e"}')
  assert.equal(goJson({ a: {} }, { indent: '\t' }), '{\n\t"a": {}\n}')
  assert.equal(
    goJson(
      new Map([
        ['z', 1],
        ['a', 2],
      ]),
    ),
    '{"z":1,"a":2}',
  )
})

test('renderTable() centres headers, pads cells and splits multi-line cells', () => {
  const data = { header: ['NAME', 'DESCRIPTION'], rows: [['a', 'one\ntwo']] }
  assert.equal(
    renderTable(data),
    '+------+-------------+\n| NAME | DESCRIPTION |\n+------+-------------+\n| a    | one         |\n|      | two         |\n+------+-------------+\n',
  )
  assert.equal(renderCompact(data), '  NAME  DESCRIPTION  \n  a     one          \n        two          \n')
})

test('renderCsv() quotes like encoding/csv', () => {
  assert.equal(
    renderCsv({ header: [], rows: [['a,b', 'say "hi"', ' lead', '', 'x\ny']] }),
    '"a,b","say ""hi"""," lead",,"x\ny"\n',
  )
})

test('naturalCompare() orders digit runs by value', () => {
  assert.deepEqual(['p10', 'p2', 'p1'].sort(naturalCompare), ['p1', 'p2', 'p10'])
})

test('renderTable() pads East Asian wide characters by display width, as lxc', () => {
  const data = { header: ['NAME', 'DESCRIPTION'], rows: [['wide', '日本語テキスト ñ é']] }
  assert.equal(
    renderTable(data),
    '+------+--------------------+\n| NAME |    DESCRIPTION     |\n+------+--------------------+\n| wide | 日本語テキスト ñ é |\n+------+--------------------+\n',
  )
})
