/** @module An nftables script as the sink takes it: one command per line, no other control character. */

function refuseLine(line: string): never {
  throw new Error(`Refusing ${JSON.stringify(line)} as an nftables script line`)
}

/** The script: one command per line, no control character besides the line breaks the builder put there. */
export function nftScript(lines: readonly string[]): string {
  // eslint-disable-next-line no-control-regex -- the control characters are what this refuses
  for (const line of lines) if (/[\0-\x1f\x7f]/.test(line)) refuseLine(line)
  return `${lines.join('\n')}\n`
}
