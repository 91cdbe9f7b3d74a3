/** @module `npm run gen`: writes the generated docs (docs/config.md). */
import { writeFileSync } from 'node:fs'
import { renderConfigReference } from './config-reference.js'

writeFileSync(new URL('../../../../../docs/config.md', import.meta.url), renderConfigReference())
