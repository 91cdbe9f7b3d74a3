/** @module Instance forms of `corral config get|set|unset|show|edit`. */
import type { Instance, InstancePut } from '@corral/api'
import type { Client } from '@corral/client'
import type { Context } from '../../context.js'
import { none, text, yaml, type Result } from '../../render/result.js'
import { instancePutShape } from '../../render/instance-shapes.js'
import { toYaml } from '../../render/yaml.js'
import { deviceMap, editFlow, parseYamlStrings, stringMap } from '../common.js'

/** The writable part of an instance, for PUT. */
export function putOf(i: Instance): InstancePut {
  return {
    architecture: i.architecture,
    config: i.config ?? {},
    devices: i.devices ?? {},
    ephemeral: i.ephemeral,
    profiles: i.profiles ?? [],
    stateful: i.stateful,
    description: i.description,
  }
}

/** GET then PUT with If-Match, applying `change` to the writable fields. */
export async function updateInstance(
  client: Client,
  name: string,
  change: (put: InstancePut, current: Instance) => void,
): Promise<void> {
  const { instance, etag } = await client.instances.get(name)
  const put = structuredClone(putOf(instance))
  change(put, instance)
  await client.instances.put(name, put, etag)
}

/** `config get <instance> <key>`. */
export async function instanceConfigGet(
  client: Client,
  name: string,
  key: string,
  expanded: boolean,
): Promise<Result> {
  const { instance } = await client.instances.get(name)
  const config = expanded ? instance.expanded_config : instance.config
  return text(`${config?.[key] ?? ''}\n`)
}

/** `config set <instance> <key>=<value>...`. */
export async function instanceConfigSet(
  client: Client,
  name: string,
  values: Record<string, string>,
): Promise<Result> {
  await updateInstance(client, name, (put) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === '') delete put.config[k]
      else put.config[k] = v
    }
  })
  return none()
}

/** `config unset <instance> <key>`. */
export async function instanceConfigUnset(client: Client, name: string, key: string): Promise<Result> {
  await updateInstance(client, name, (put) => {
    delete put.config[key]
  })
  return none()
}

/** `config show <instance> [--expanded]`. */
export async function instanceConfigShow(client: Client, name: string, expanded: boolean): Promise<Result> {
  const { instance } = await client.instances.get(name)
  return yaml(instancePutShape(instance, expanded))
}

const header = `### This is a YAML representation of the configuration.
### Any line starting with a '# will be ignored.
###
### A sample configuration looks like:
### name: instance1
### profiles:
### - default
### config:
###   volatile.eth0.hwaddr: 00:16:3e:e9:f8:7f
### devices:
###   homedir:
###     path: /extra
###     source: /home/user
###     type: disk
### ephemeral: false
###
### Note that the name is shown but cannot be changed

`

async function parsePut(textIn: string, current: Instance): Promise<InstancePut> {
  const doc = await parseYamlStrings(textIn)
  const profiles = Array.isArray(doc.profiles)
    ? doc.profiles.filter((p): p is string => typeof p === 'string')
    : []
  return {
    architecture: typeof doc.architecture === 'string' ? doc.architecture : current.architecture,
    config: stringMap(doc.config),
    devices: deviceMap(doc.devices),
    ephemeral: doc.ephemeral === 'true',
    profiles,
    stateful: doc.stateful === 'true',
    description: typeof doc.description === 'string' ? doc.description : '',
  }
}

/** `config edit <instance>`: YAML from stdin, or $EDITOR on a terminal. */
export async function instanceConfigEdit(ctx: Context, client: Client, name: string): Promise<Result> {
  const { instance, etag } = await client.instances.get(name)
  const apply = async (edited: string): Promise<void> =>
    client.instances.put(name, await parsePut(edited, instance), etag)
  await editFlow(ctx, { header, current: toYaml(instancePutShape(instance)), apply })
  return none()
}
