/** @module The client's own version (kept equal to packages/cli/package.json; a test checks). */

/** The version `corral version` and `corral --version` print. */
export const clientVersion = '0.1.0'
