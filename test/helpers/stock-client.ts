/** @module The stock lxc client's environment in tests: a config directory of the test's own. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The environment for stock `lxc` with its config under `home` (LXD_CONF and HOME both), so a
 * test never reads or writes the machine's ~/.config/lxc. The config file is written first:
 * without one the client takes the run for its first on this machine and prints a banner.
 */
export function stockClientEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const conf = join(home, '.config', 'lxc')
  if (!existsSync(join(conf, 'config.yml'))) {
    mkdirSync(conf, { recursive: true, mode: 0o700 })
    writeFileSync(join(conf, 'config.yml'), 'default-remote: local\n')
  }
  return { ...process.env, HOME: home, LXD_CONF: conf, ...extra }
}
