/** @module The `tc` sink: argument words of traffic-control commands, each one word of a safe alphabet. */

/** Checks tc's argument words (names, handles, rates, numbers); a rate written `10 Mbit` becomes `10Mbit`. */
export function tcArgs(args: readonly string[]): string[] {
  return args.map((arg) => {
    const word = /^\d+(\.\d+)?\s+[A-Za-z]+$/.test(arg) ? arg.replace(/\s+/, '') : arg
    if (!/^[A-Za-z0-9_.:-]+$/.test(word)) throw new Error(`Refusing ${JSON.stringify(arg)} as a tc argument`)
    return word
  })
}
