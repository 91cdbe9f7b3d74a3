/**
 * @module Renders one image template (pongo2/Jinja syntax) with LXD's contexts. Pure: the engine
 * is @huggingface/jinja, an interpreter with no file loader (no include, import or extends) and
 * no way from a template to JavaScript objects or functions beyond those given here.
 */
import * as jinja from '@huggingface/jinja'

/**
 * The part of the engine used here. Its type declarations use extensionless relative imports,
 * which NodeNext resolution does not follow, so they are restated.
 */
interface JinjaEngine {
  tokenize: (source: string, options: { trim_blocks?: boolean; lstrip_blocks?: boolean }) => unknown
  parse: (tokens: unknown) => unknown
  Environment: new () => { set(name: string, value: unknown): unknown }
  Interpreter: new (env: unknown) => { run(program: unknown): { value: unknown } }
}

const { Environment, Interpreter, parse, tokenize } = jinja as unknown as JinjaEngine

/** What LXD passes to a template: `container` (also `instance`), config, devices, properties, ... */
export interface TemplateContext {
  trigger: string
  /** The target path inside the container. */
  path: string
  /** name, type, architecture, ephemeral and privileged ("true"/"false"), as LXD's container metadata. */
  container: Record<string, string>
  /** The instance's expanded config. */
  config: Record<string, string>
  /** The instance's expanded devices. */
  devices: Record<string, Record<string, string>>
  /** The template's `properties` from metadata.yaml. */
  properties: Record<string, string>
}

/**
 * Renders `source` as pongo2 does for LXD: no autoescaping, whitespace kept as written
 * (no trim_blocks/lstrip_blocks) including the final newline, and `config_get(key, default)`
 * giving the config value without trailing line breaks, else the default.
 */
export function renderTemplate(source: string, ctx: TemplateContext): string {
  // The lexer drops one trailing newline (Jinja's default); pongo2 keeps it, so one is added.
  const program = parse(tokenize(`${source}\n`, {}))
  const env = new Environment()
  const config = new Map(Object.entries(ctx.config))
  env.set('trigger', ctx.trigger)
  env.set('path', ctx.path)
  env.set('container', ctx.container)
  env.set('instance', ctx.container)
  env.set('config', ctx.config)
  env.set('devices', ctx.devices)
  env.set('properties', ctx.properties)
  env.set('config_get', (key: unknown, fallback: unknown) => {
    const value = typeof key === 'string' ? config.get(key) : undefined
    if (value !== undefined) return value.replace(/[\r\n]+$/, '')
    return typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean'
      ? fallback
      : ''
  })
  return String(new Interpreter(env).run(program).value)
}
