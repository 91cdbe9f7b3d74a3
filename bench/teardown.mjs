// Ending a bench's corrald and removing what it made: shared by the benches that start their own.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

/** Asks the corrald of `stateDir` to shut down and waits for it, unmounts what is left under `work`, removes `work` and `home`. */
export async function stopDaemonAndClean(daemon, stateDir, work, home) {
  spawnSync('curl', [
    '-s',
    '--unix-socket',
    join(stateDir, 'unix.socket'),
    '-X',
    'PUT',
    'http://x/internal/shutdown',
  ])
  await new Promise((r) => (daemon.exitCode !== null ? r() : daemon.once('exit', r)))
  for (const m of readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(work)))
    spawnSync('umount', ['-l', m.split(' ')[4]])
  rmSync(work, { recursive: true, force: true })
  rmSync(home, { recursive: true, force: true })
}
