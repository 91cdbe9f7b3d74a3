/** @module LXD 5.0.2's Go structs for instances, snapshots, images and storage pools (field order and types). */
import type { Image, Instance, InstanceFull, InstanceSnapshot, StoragePool } from '@corral/api'
import { GoTime, mapOrEmpty, struct, type FieldConverters, type GoStruct } from './go-value.js'

/** A time as Go's RFC3339Nano prints it: trailing zeros of the fraction dropped (`.380Z` → `.38Z`). */
export function goTimeText(iso: string): string {
  return iso.replace(/\.(\d*?)0+(?=Z|[+-]\d\d:\d\d$)/, (_m, digits: string) => (digits ? `.${digits}` : ''))
}

const time = (v: unknown): unknown => (typeof v === 'string' ? new GoTime(goTimeText(v)) : v)
const jsonTime = (v: unknown): unknown => (typeof v === 'string' ? goTimeText(v) : v)

const putFields = ['architecture', 'config', 'devices', 'ephemeral', 'profiles', 'stateful', 'description']
const nilSlice = (forJson: boolean) => (v: unknown) => (forJson ? (v ?? null) : (v ?? []))

/** api.InstancePut (`config show`): the writable fields; `expanded` shows the expanded config and devices. */
export function instancePutShape(i: Instance, expanded = false): GoStruct {
  const source = expanded ? { ...i, config: i.expanded_config, devices: i.expanded_devices } : i
  return struct(
    Object.fromEntries(putFields.map((f) => [f, (source as unknown as Record<string, unknown>)[f]])),
    putFields,
    { config: mapOrEmpty, devices: mapOrEmpty, profiles: nilSlice(false) },
  )
}

/** Instances and snapshots print their own and expanded config and devices as `{}` when empty. */
const configMaps: FieldConverters = {
  config: mapOrEmpty,
  devices: mapOrEmpty,
  expanded_config: mapOrEmpty,
  expanded_devices: mapOrEmpty,
}

/** api.Instance. */
export function instanceShape(i: Instance, forJson = false): GoStruct {
  const fields = [
    ...putFields,
    'created_at',
    'expanded_config',
    'expanded_devices',
    'name',
    'status',
    'status_code',
    'last_used_at',
    'location',
    'type',
    'project',
  ]
  const t = forJson ? jsonTime : time
  const times: FieldConverters = { created_at: t, last_used_at: t }
  const rec = Object.fromEntries(fields.map((f) => [f, (i as unknown as Record<string, unknown>)[f]]))
  return struct(rec, fields, {
    ...times,
    ...configMaps,
    profiles: nilSlice(forJson),
  })
}

/** api.InstanceSnapshot. */
export function snapshotShape(s: InstanceSnapshot, forJson = false): GoStruct {
  const fields = [
    'expires_at',
    'architecture',
    'config',
    'created_at',
    'devices',
    'ephemeral',
    'expanded_config',
    'expanded_devices',
    'last_used_at',
    'name',
    'profiles',
    'stateful',
    'size',
  ]
  const t = forJson ? jsonTime : time
  const times: FieldConverters = { expires_at: t, created_at: t, last_used_at: t }
  const rec = Object.fromEntries(fields.map((f) => [f, (s as unknown as Record<string, unknown>)[f]]))
  return struct(rec, fields, {
    ...times,
    ...configMaps,
  })
}

function stateShape(state: unknown, forJson: boolean): unknown {
  if (state === null || typeof state !== 'object') return state
  const s = state as Record<string, unknown>
  const fields = ['status', 'status_code', 'disk', 'memory', 'network', 'pid', 'processes', 'cpu']
  return struct(Object.fromEntries(fields.map((f) => [f, s[f]])), fields, {
    disk: forJson ? (v) => v : mapOrEmpty,
    network: forJson ? (v) => v : mapOrEmpty,
    memory: (m) =>
      m && typeof m === 'object' ? struct(m, ['usage', 'usage_peak', 'swap_usage', 'swap_usage_peak']) : m,
    cpu: (c) => (c && typeof c === 'object' ? struct(c, ['usage']) : c),
  })
}

/** api.InstanceFull (`list --format json|yaml`). */
export function instanceFullShape(i: InstanceFull, forJson = false): GoStruct {
  const out = instanceShape(i, forJson)
  out.set('backups', forJson ? (i.backups ?? null) : (i.backups ?? []))
  out.set('state', stateShape(i.state, forJson))
  const snaps = i.snapshots?.map((s) => snapshotShape(s, forJson))
  out.set('snapshots', forJson ? (snaps ?? null) : (snaps ?? []))
  return out
}

/** api.Image. */
export function imageShape(img: Image, forJson = false): GoStruct {
  const fields = [
    'auto_update',
    'properties',
    'public',
    'expires_at',
    'profiles',
    'aliases',
    'architecture',
    'cached',
    'filename',
    'fingerprint',
    'size',
    'update_source',
    'type',
    'created_at',
    'last_used_at',
    'uploaded_at',
  ]
  const t = forJson ? jsonTime : time
  const times: FieldConverters = { expires_at: t, created_at: t, last_used_at: t, uploaded_at: t }
  const rec = Object.fromEntries(
    fields
      .filter((f) => f !== 'update_source' || img.update_source)
      .map((f) => [f, (img as unknown as Record<string, unknown>)[f]]),
  )
  return struct(rec, fields, {
    ...times,
    properties: mapOrEmpty,
    profiles: nilSlice(forJson),
    aliases: (a) =>
      Array.isArray(a) ? a.map((x: object) => struct(x, ['name', 'description'])) : nilSlice(forJson)(a),
  })
}

/** api.ImagePut (`image show`, `image edit`). */
export function imagePutShape(img: Image): GoStruct {
  const fields = ['auto_update', 'properties', 'public', 'expires_at', 'profiles']
  return struct(
    Object.fromEntries(fields.map((f) => [f, (img as unknown as Record<string, unknown>)[f]])),
    fields,
    {
      properties: mapOrEmpty,
      expires_at: time,
      profiles: nilSlice(false),
    },
  )
}

/** api.StoragePool. */
export function storagePoolShape(p: StoragePool): GoStruct {
  const fields = ['config', 'description', 'name', 'driver', 'used_by', 'status', 'locations']
  return struct(p, fields, { config: mapOrEmpty, used_by: (v) => v ?? [], locations: (v) => v ?? [] })
}
