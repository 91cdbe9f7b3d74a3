/** @module Names for instances created without one, as LXD picks (adjective-noun). */
import { randomInt } from 'node:crypto'

const adjectives = [
  'able',
  'bold',
  'brave',
  'calm',
  'clever',
  'eager',
  'fair',
  'fond',
  'glad',
  'keen',
  'kind',
  'lucky',
  'merry',
  'proud',
  'quick',
  'sharp',
  'smart',
  'swift',
  'tidy',
  'wise',
]
const nouns = [
  'badger',
  'beaver',
  'bison',
  'crane',
  'eagle',
  'falcon',
  'ferret',
  'gecko',
  'heron',
  'ibex',
  'lynx',
  'marten',
  'otter',
  'panda',
  'raven',
  'robin',
  'stoat',
  'swan',
  'tern',
  'wren',
]

/** A random `adjective-noun` instance name. */
export function randomInstanceName(): string {
  return `${adjectives[randomInt(adjectives.length)]}-${nouns[randomInt(nouns.length)]}`
}
