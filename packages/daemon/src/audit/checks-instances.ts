/** @module Instance checks: privilege, raw keys, host paths, shared idmaps, nesting. */
import { isTrue } from '../config/validate.js'
import { corral, instanceSubject, namesOf, type Finding } from './finding.js'
import type { AuditInput, InstanceView } from './input.js'
import {
  boolOffCommand,
  deviceRemoveCommand,
  displayName,
  thenRestart,
  unsetEverywhere,
} from './instance-fixes.js'

const about = (v: InstanceView) => ({ subject: instanceSubject(v.project, v.name), project: v.project })

/** A running container whose map is empty runs without a user namespace, whatever its config says now. */
const runsPrivileged = (v: InstanceView) => v.running && v.expanded.config['volatile.idmap.current'] === '[]'

/** `privileged-instance`: configured privileged, or still running privileged until its restart. */
export function checkPrivileged(input: AuditInput): Finding[] {
  return input.instances.flatMap((v): Finding[] => {
    const name = displayName(v)
    if (isTrue(v.expanded.config['security.privileged']))
      return [
        {
          ...about(v),
          id: 'privileged-instance',
          severity: 'moderate',
          message: `${name} is privileged (security.privileged=true): its root is root on the host`,
          fix: thenRestart(v, [boolOffCommand(v, 'security.privileged')]),
        },
      ]
    if (runsPrivileged(v))
      return [
        {
          ...about(v),
          id: 'privileged-instance',
          severity: 'moderate',
          message: `${name} still runs privileged: security.privileged is off now, which applies at its next start`,
          fix: thenRestart(v, []),
        },
      ]
    return []
  })
}

const rawKeys = ['raw.lxc', 'raw.idmap', 'raw.seccomp']

/** `raw-config`: raw.lxc, raw.idmap or raw.seccomp pass configuration past the daemon's own. */
export function checkRawConfig(input: AuditInput): Finding[] {
  return input.instances.flatMap((v): Finding[] => {
    const keys = rawKeys.filter((k) => v.expanded.config[k])
    if (keys.length === 0) return []
    return [
      {
        ...about(v),
        id: 'raw-config',
        severity: 'moderate',
        message: `${displayName(v)} sets ${keys.join(', ')}: configuration the daemon did not write (raw.lxc can add hooks and mounts that root runs on the host, raw.idmap maps host ids into the container)`,
        fix: thenRestart(
          v,
          keys.flatMap((k) => unsetEverywhere(v, k)),
        ),
      },
    ]
  })
}

/** `host-disk`: disk devices that mount a host path rather than a storage volume. */
export function checkHostDisks(input: AuditInput): Finding[] {
  return input.instances.flatMap((v): Finding[] => {
    const disks = Object.entries(v.expanded.devices).filter(
      ([, d]) => d.type === 'disk' && d.source && !d.pool,
    )
    if (disks.length === 0) return []
    const listed = disks.map(([name, d]) => `${d.source} (device "${name}")`)
    return [
      {
        ...about(v),
        id: 'host-disk',
        severity: 'low',
        message: `${displayName(v)} mounts host path${disks.length > 1 ? 's' : ''} ${listed.join(', ')}: what the container may do there, it does to the host's files`,
        fix: thenRestart(
          v,
          disks.map(([name]) => deviceRemoveCommand(v, name)),
        ),
      },
    ]
  })
}

/** True when the container runs (or would start) with the shared map of root's whole range. */
function usesSharedMap(v: InstanceView): boolean {
  const c = v.expanded.config
  const current = c['volatile.idmap.current']
  if (v.running && current !== undefined) return current !== '[]' && (c['volatile.idmap.base'] ?? '0') === '0'
  return !isTrue(c['security.idmap.isolated']) && !isTrue(c['security.privileged'])
}

/** `idmap-shared`: two or more unprivileged containers map the same host ids (root in one is root in the others). */
export function checkSharedIdmaps(input: AuditInput): Finding[] {
  const sharing = input.instances.filter(usesSharedMap)
  if (sharing.length < 2) return []
  return sharing.map((v) => {
    const others = sharing.filter((o) => o !== v).map(displayName)
    return {
      ...about(v),
      id: 'idmap-shared',
      severity: 'low',
      message: `${displayName(v)} shares its uid/gid map with ${namesOf(others)}: an escape from one is the same host user as root in the others; security.idmap.isolated=true gives it a range of its own`,
      fix: thenRestart(v, [corral(v.project, 'config', 'set', v.name, 'security.idmap.isolated=true')]),
    }
  })
}

/** `nesting`: security.nesting lets the container run containers of its own (it mounts more of /proc and /sys). */
export function checkNesting(input: AuditInput): Finding[] {
  return input.instances
    .filter((v) => isTrue(v.expanded.config['security.nesting']))
    .map((v) => ({
      ...about(v),
      id: 'nesting',
      severity: 'low' as const,
      message: `${displayName(v)} allows nesting (security.nesting=true): it can run containers of its own${isTrue(v.expanded.config['security.privileged']) ? ', and being privileged that is unsafe for the host' : ''}`,
      fix: thenRestart(v, [boolOffCommand(v, 'security.nesting')]),
    }))
}
