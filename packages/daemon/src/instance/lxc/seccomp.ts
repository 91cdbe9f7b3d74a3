/** @module Pure builder of a container's own seccomp policy when security.syscalls.* ask for one. */
import { badRequest } from '@corral/api'
import { isTrue } from '../../config/validate.js'
import { instanceKeys } from '../../config/instance-keys.js'
import { syscallNames } from '../../config/syscall-list.js'

/** LXD's (and LXC's common.seccomp) default denylist. */
export const defaultDenied = [
  'kexec_load',
  'open_by_handle_at',
  'init_module',
  'finit_module',
  'delete_module',
]

/**
 * The seccomp policy text (LXC's version 2 format), or undefined when LXC's default policy
 * (the default denylist) is what the keys ask for. `security.syscalls.allow` makes it an
 * allowlist; otherwise it is the default list (unless `security.syscalls.deny_default` is
 * false) plus `security.syscalls.deny`. Denied calls answer EPERM.
 */
export function seccompPolicy(config: Record<string, string>): string | undefined {
  const allow = syscallNames(config['security.syscalls.allow'])
  const deny = syscallNames(config['security.syscalls.deny'])
  const denyDefault = isTrue(instanceKeys.get(config, 'security.syscalls.deny_default'))
  if (allow.length && deny.length)
    throw badRequest('security.syscalls.allow cannot be used together with security.syscalls.deny')
  if (allow.length) return `2\nallowlist\n${allow.join('\n')}\n`
  if (denyDefault && deny.length === 0) return undefined
  const list = [...new Set([...(denyDefault ? defaultDenied : []), ...deny])]
  return ['2', 'denylist', 'reject_force_umount', '[all]', ...list.map((n) => `${n} errno 1`), ''].join('\n')
}
