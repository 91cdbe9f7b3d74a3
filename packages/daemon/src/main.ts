/** @module corrald's command line: flags, signals, exit codes. */
import { parseArgs } from 'node:util'
import { startDaemon } from './daemon.js'
import { firewallChoices, firewallDrivers, parseFirewallName } from './firewall/registry.js'
import { release } from './version.js'

const usage = `Usage: corrald [--group NAME] [--firewall DRIVER] [--unprivileged-only] [--debug]

The Corral daemon: runs system containers and serves LXD's REST API on
$CORRAL_DIR/unix.socket (default /var/lib/corral).

  --group NAME   group allowed to use the socket (default: corral if it exists, else root)
  --firewall DRIVER  ${firewallChoices.join(', ')} (default: $CORRAL_FIREWALL, else auto:
                 the driver already in use, else the first that works here)
${firewallDrivers.map((d) => `                 ${d.name}: ${d.short}`).join('\n')}
  --unprivileged-only  refuse privileged containers, raw.idmap, and lxc.idmap or
                 lxc.include in raw.lxc (also $CORRAL_UNPRIVILEGED_ONLY=true)
  --debug        log debug messages
  --version      print the version and exit
  -h, --help     print this help

Signals: SIGTERM or SIGINT stop the daemon and leave containers running (a
restart finds them); SIGPWR (the host going down) first shuts every running
container down cleanly within its boot.host_shutdown_timeout.
`

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      group: { type: 'string' },
      firewall: { type: 'string' },
      'unprivileged-only': { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
      version: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return void process.stdout.write(usage)
  if (values.version)
    return void process.stdout.write(`${release.version}${release.kind === 'lts' ? ' LTS' : ''}\n`)
  const daemon = await startDaemon({
    dir: process.env.CORRAL_DIR || '/var/lib/corral',
    group: values.group,
    debug: values.debug,
    firewall: parseFirewallName(values.firewall ?? process.env.CORRAL_FIREWALL),
    unprivilegedOnly:
      values['unprivileged-only'] || ['1', 'true'].includes(process.env.CORRAL_UNPRIVILEGED_ONLY ?? ''),
  })
  // As LXD: SIGTERM is a daemon restart (containers keep running), SIGPWR the host going down.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void daemon.stop())
  process.once('SIGPWR', () => void daemon.stop({ shutdownInstances: true }))
  await daemon.stopped
  process.exit(0)
}

main().catch((err: unknown) => {
  process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
