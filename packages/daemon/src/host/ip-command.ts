/**
 * @module The `ip -batch` sink: one command per line, built so a value can never become a second
 * word or a second line. `ip -batch` reads one command a line and splits words on blanks, so
 * every interpolated value must be exactly one word of a safe alphabet.
 */

/** One validated `ip` command (without the leading `ip`), as its words. */
export interface IpCommand {
  readonly words: readonly string[]
}

/** What an interpolated word may contain: names, numbers, addresses, prefixes, MACs. */
const safeWord = /^[A-Za-z0-9_.:/%@+-]+$/

/** Checks one interpolated value: a single word of the safe alphabet. */
export function ipWord(value: string | number): string {
  const word = String(value)
  if (!safeWord.test(word))
    throw new Error(
      `Refusing ${JSON.stringify(word)} as an ip command word: only one word of [A-Za-z0-9_.:/%@+-]`,
    )
  return word
}

/**
 * Builds a command from a template: the literal text is split into words, each interpolated
 * value is checked and becomes exactly one word (`ipCmd\`link del ${name}\``).
 */
export function ipCmd(strings: TemplateStringsArray, ...values: (string | number)[]): IpCommand {
  const words: string[] = []
  strings.forEach((text, i) => {
    words.push(...text.split(/\s+/).filter(Boolean))
    if (i < values.length) words.push(ipWord(values[i]!))
  })
  return { words }
}

/** A command from words that were built elsewhere (a stored route); every word is checked. */
export function ipWords(words: readonly string[]): IpCommand {
  return { words: words.map(ipWord) }
}

/** The batch text: one checked command per line. */
export function ipBatchText(commands: readonly IpCommand[]): string {
  return commands.map((c) => `${c.words.map(ipWord).join(' ')}\n`).join('')
}
