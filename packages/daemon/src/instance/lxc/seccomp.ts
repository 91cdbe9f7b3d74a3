/** @module Pure builder of a container's own seccomp policy when security.syscalls.* ask for one. */
import { badRequest } from '@corral/api'
import { isTrue } from '../../config/validate.js'

/** LXD's (and LXC's common.seccomp) default denylist. */
export const defaultDenied = [
  'kexec_load',
  'open_by_handle_at',
  'init_module',
  'finit_module',
  'delete_module',
]

/** The syscall names of a `security.syscalls.deny`/`allow` value (newline or comma separated). */
function names(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\n,]/)
    .map((n) => n.trim())
    .filter(Boolean)
}

/** A valid syscall name list, or a 400 naming the bad entry. */
export function checkSyscallList(value: string): void {
  for (const n of names(value)) if (!/^[a-z0-9_]+$/.test(n)) throw new Error(`"${n}" is not a syscall name`)
}

/**
 * The seccomp policy text (LXC's version 2 format), or undefined when LXC's default policy
 * (the default denylist) is what the keys ask for. `security.syscalls.allow` makes it an
 * allowlist; otherwise it is the default list (unless `security.syscalls.deny_default` is
 * false) plus `security.syscalls.deny`. Denied calls answer EPERM.
 */
export function seccompPolicy(config: Record<string, string>): string | undefined {
  const allow = names(config['security.syscalls.allow'])
  const deny = names(config['security.syscalls.deny'])
  const denyDefault = isTrue(config['security.syscalls.deny_default'] ?? 'true')
  if (allow.length && deny.length)
    throw badRequest('security.syscalls.allow cannot be used together with security.syscalls.deny')
  if (allow.length) return `2\nallowlist\n${allow.join('\n')}\n`
  if (denyDefault && deny.length === 0) return undefined
  const list = [...new Set([...(denyDefault ? defaultDenied : []), ...deny])]
  return ['2', 'denylist', 'reject_force_umount', '[all]', ...list.map((n) => `${n} errno 1`), ''].join('\n')
}
