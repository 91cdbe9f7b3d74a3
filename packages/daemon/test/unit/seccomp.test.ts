/** @module Unit tier: a container's own seccomp policy from security.syscalls.* keys. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkSyscallList } from '../../src/config/syscall-list.js'
import { seccompPolicy } from '../../src/instance/lxc/seccomp.js'

test("LXC's default policy is kept when the keys ask for nothing else", () => {
  assert.equal(seccompPolicy({}), undefined)
  assert.equal(seccompPolicy({ 'security.syscalls.deny_default': 'true' }), undefined)
})

test('deny adds to the default list; deny_default=false drops it; allow makes an allowlist', () => {
  assert.equal(
    seccompPolicy({ 'security.syscalls.deny': 'sethostname,\nmount' }),
    '2\ndenylist\nreject_force_umount\n[all]\nkexec_load errno 1\nopen_by_handle_at errno 1\ninit_module errno 1\nfinit_module errno 1\ndelete_module errno 1\nsethostname errno 1\nmount errno 1\n',
  )
  assert.equal(
    seccompPolicy({ 'security.syscalls.deny_default': 'false' }),
    '2\ndenylist\nreject_force_umount\n[all]\n',
  )
  assert.equal(seccompPolicy({ 'security.syscalls.allow': 'read\nwrite' }), '2\nallowlist\nread\nwrite\n')
  assert.throws(
    () => seccompPolicy({ 'security.syscalls.allow': 'read', 'security.syscalls.deny': 'mount' }),
    /cannot be used together/,
  )
  assert.throws(() => checkSyscallList('mount; reboot'), /not a syscall name/)
})
