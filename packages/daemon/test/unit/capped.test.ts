// Unit tier: capped() keeps the first bytes of a stream and drains the rest.
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import { capped } from '../../src/util/capped.js'

test('capped(n) passes the first n bytes, drops the rest and still ends', async () => {
  const chunks = [Buffer.from('abc'), Buffer.from('defg'), Buffer.from('hij')]
  const out: Buffer[] = []
  for await (const c of Readable.from(chunks).pipe(capped(5))) out.push(c as Buffer)
  assert.equal(Buffer.concat(out).toString(), 'abcde')
})
