/** @module Unit tier: the files API's helper supervision (timeouts, failures mid-stream), with scripted helpers. */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { Readable } from 'node:stream'
import { after, test } from 'node:test'
import { deleteFile, pullFile, pushFile } from '../../src/instance/lxc/files.js'
import type { State } from '../../src/state.js'

const spawned: ChildProcess[] = []

/** A state whose "file helper" is the given shell script (the real helper's arguments are ignored). */
function scripted(script: string): State {
  const host = {
    run: () => Promise.reject(new Error('not used')),
    spawn: (_cmd: string, _args: readonly string[], opts: { stdio: unknown }) => {
      const child = spawn('sh', ['-c', script], { stdio: opts.stdio as 'pipe' })
      spawned.push(child)
      return child
    },
  }
  return { host } as unknown as State
}

const gone = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null

after(() => {
  // Only our own helpers, should a failed assertion have left one running.
  for (const child of spawned) if (!gone(child)) child.kill('SIGKILL')
})

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

const root = { root: '/nonexistent' }

test('pullFile() kills a helper that prints no header within the timeout', async () => {
  const started = Date.now()
  await assert.rejects(pullFile(scripted('exec sleep 30'), root, '/fifo', { timeoutMs: 300 }), {
    status: 500,
    message: 'File operation timed out after 0.3s',
  })
  assert.ok(Date.now() - started < 5_000, 'promptly')
  assert.equal(spawned.at(-1)!.signalCode, 'SIGKILL')
})

test('pullFile() fails the content stream of a helper that stalls mid-file, instead of a short file', async () => {
  const pulled = await pullFile(scripted('printf "file 644 0 0\\nabc"; exec sleep 30'), root, '/slow', {
    timeoutMs: 300,
  })
  assert.equal(pulled.type, 'file')
  await assert.rejects(drain(pulled.type === 'file' ? pulled.content : Readable.from([])), /timed out/)
  assert.equal(spawned.at(-1)!.signalCode, 'SIGKILL')
})

test('pullFile() fails the content stream of a helper that exits non-zero mid-file', async () => {
  const pulled = await pullFile(
    scripted('printf "file 644 0 0\\nabc"; echo "EIO Failed to read: Input/output error" >&2; exit 1'),
    root,
    '/broken',
  )
  await assert.rejects(drain(pulled.type === 'file' ? pulled.content : Readable.from([])), {
    message: 'Failed to read: Input/output error',
  })
})

test('pullFile() streams a whole file when the helper succeeds', async () => {
  const pulled = await pullFile(scripted('printf "file 640 1000 1000\\nhello "; printf world'), root, '/f')
  assert.deepEqual([pulled.type, pulled.mode, pulled.uid], ['file', 0o640, 1000])
  assert.equal(
    (await drain(pulled.type === 'file' ? pulled.content : Readable.from([]))).toString(),
    'hello world',
  )
})

test('pullFile() maps a refused special file to 400', async () => {
  const refused = scripted('echo "EINVAL Path is a fifo, not a regular file" >&2; exit 1')
  await assert.rejects(pullFile(refused, root, '/fifo'), {
    status: 400,
    message: 'Path is a fifo, not a regular file',
  })
})

test('pushFile() kills a helper that does not finish within the timeout once the body is sent', async () => {
  const started = Date.now()
  await assert.rejects(
    pushFile(
      scripted('exec sleep 30'),
      root,
      '/fifo',
      { type: 'file', append: false, timeoutMs: 300 },
      Readable.from([Buffer.from('data')]),
    ),
    /timed out after 0.3s/,
  )
  assert.ok(Date.now() - started < 5_000, 'promptly')
})

test('pushFile() does not count a slow uploader against the helper', async () => {
  const body = new Readable({ read() {} })
  const pushed = pushFile(
    scripted('cat >/dev/null'),
    root,
    '/f',
    { type: 'file', append: false, timeoutMs: 200 },
    body,
  )
  body.push('a')
  await new Promise((r) => setTimeout(r, 500))
  body.push('b')
  body.push(null)
  await pushed
})

test('deleteFile() kills a helper that does not finish within the timeout', async () => {
  await assert.rejects(deleteFile(scripted('exec sleep 30'), root, '/x', { timeoutMs: 300 }), /timed out/)
})
