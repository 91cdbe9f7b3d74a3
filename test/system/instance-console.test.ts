/** @module System tier: `lxc console` (interactive, ctrl-a q detaches) and `lxc console --show-log` of the stock client. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { run } from '../helpers/corrald.js'
import { sessionSkipReason, startLxcSession, type LxcSession } from '../helpers/lxc-session.js'

const skip =
  sessionSkipReason({ image: true, pool: true }) ??
  (run('which', ['python3']).status === 0 ? undefined : 'python3 (for a pty) is missing')
if (skip) console.log(`# skipping console system tests: ${skip}`)
const name = `crl${process.pid % 10_000}cn`
let s: LxcSession

before(async () => {
  if (skip) return
  s = await startLxcSession('corral-console', { image: true, pool: true })
  s.must(['launch', 'busybox', name])
})

after(async () => {
  if (skip || !s) return
  s.lxc(['delete', name, '--force'])
  await s.close([name])
})

/**
 * Runs `lxc console NAME` on a pty: waits for its banner, has the container write `marker` to
 * /dev/console (through lxc exec), waits to see it on the terminal, then types ctrl-a q.
 */
const driver = `
import json, os, pty, select, subprocess, sys, time
name, marker = sys.argv[1], sys.argv[2].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp('lxc', ['lxc', 'console', name])
buf = b''
def read_until(pat, timeout):
    global buf
    end = time.time() + timeout
    while pat not in buf and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                buf += os.read(fd, 4096)
            except OSError:
                break
    return pat in buf
banner = read_until(b'To detach from the console, press: <ctrl>+a q', 20)
time.sleep(1)
subprocess.run(['lxc', 'exec', name, '--', 'sh', '-c', 'echo ' + marker.decode() + ' > /dev/console'], check=True)
seen = read_until(marker, 20)
# Two key presses: the client looks at the first byte of each read only.
os.write(fd, b'\\x01')
time.sleep(0.3)
os.write(fd, b'q')
status, end = None, time.time() + 20
while time.time() < end:
    p, st = os.waitpid(pid, os.WNOHANG)
    if p:
        status = os.waitstatus_to_exitcode(st)
        break
    read_until(b'\\0never', 0.2)
if status is None:
    os.kill(pid, 9)
print(json.dumps({'banner': banner, 'seen': seen, 'status': status, 'output': buf.decode('utf8', 'replace')}))
`

test(
  'an interactive lxc console sees what the container writes to /dev/console, and ctrl-a q detaches',
  { skip },
  () => {
    const marker = `console-marker-${process.pid}`
    const r = run('python3', ['-c', driver, name, marker], { env: s.env() })
    assert.equal(r.status, 0, r.stderr)
    const res = JSON.parse(r.stdout) as {
      banner: boolean
      seen: boolean
      status: number | null
      output: string
    }
    assert.ok(res.banner, `the client attached: ${res.output}`)
    assert.ok(res.seen, `the console showed the marker: ${JSON.stringify(res.output)}`)
    assert.equal(res.status, 0, `ctrl-a q detached and lxc console exited 0: ${res.output}`)
    // Detached: the operation is over and the container still runs.
    assert.equal(s.must(['list', name, '--format', 'csv', '-c', 's']).trim(), 'RUNNING')
    const ops = JSON.parse(s.must(['query', '/1.0/operations?recursion=1'])) as Record<
      string,
      { status: string }[]
    >
    const running = (ops.running ?? []).filter((o) => o.status === 'Running')
    assert.equal(running.length, 0, 'no console operation is left running')
  },
)

test(
  'lxc console --show-log prints the console ring buffer; DELETE clears it; stopped, the log file',
  { skip },
  () => {
    const marker = `show-log-marker-${process.pid}`
    s.must(['exec', name, '--', 'sh', '-c', `echo ${marker} > /dev/console`])
    const out = s.must(['console', name, '--show-log'])
    assert.match(out, /^\nConsole log:\n\n/)
    assert.ok(out.includes(marker), out)
    s.must(['query', '-X', 'DELETE', `/1.0/instances/${name}/console`])
    assert.ok(!s.must(['console', name, '--show-log']).includes(marker), 'the ring buffer was cleared')
    const after = `after-clear-${process.pid}`
    s.must(['exec', name, '--', 'sh', '-c', `echo ${after} > /dev/console`])
    assert.ok(s.must(['console', name, '--show-log']).includes(after))
    s.must(['stop', name, '--force'])
    assert.ok(
      s.must(['console', name, '--show-log']).includes(after),
      'a stopped instance shows its console log file',
    )
    const r = s.lxc(['query', '-X', 'POST', `/1.0/instances/${name}/console`, '--data', '{"type":"console"}'])
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /Instance is not running/)
    s.must(['start', name])
  },
)

test('bad console requests: 4xx with LXD-style messages, no operation', { skip }, () => {
  const post = (data: string) =>
    s.lxc(['query', '-X', 'POST', `/1.0/instances/${name}/console`, '--data', data])
  const cases: [string, RegExp][] = [
    ['{"type":"vga"}', /VGA console is only supported by virtual machines/],
    ['{"type":"serial"}', /Unknown console type "serial"/],
    ['{"type":"console","width":"wide"}', /Invalid value for field "width"/],
    ['[1]', /./],
  ]
  for (const [data, message] of cases) {
    const r = post(data)
    assert.notEqual(r.status, 0, data)
    assert.match(r.stderr, message)
  }
  const missing = s.lxc(['query', '-X', 'POST', '/1.0/instances/nope-not-here/console', '--data', '{}'])
  assert.match(missing.stderr, /not found/i)
  const ops = JSON.parse(s.must(['query', '/1.0/operations?recursion=1'])) as Record<
    string,
    { description: string }[]
  >
  assert.equal((ops.running ?? []).filter((o) => o.description === 'Showing console').length, 0)
})
