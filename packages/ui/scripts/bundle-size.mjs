// Prints the built UI's size (raw and gzipped, per file and in all) and fails the build over budget.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const dir = fileURLToPath(new URL('../../daemon/dist/ui', import.meta.url))
const budget = 600 * 1024

const files = []
const walk = (d) => {
  for (const name of readdirSync(d)) {
    const p = join(d, name)
    if (statSync(p).isDirectory()) walk(p)
    else files.push(p)
  }
}
walk(dir)
let raw = 0
let gz = 0
for (const f of files.sort()) {
  const body = readFileSync(f)
  const z = gzipSync(body, { level: 9 }).length
  raw += body.length
  gz += z
  console.log(
    `  ${relative(dir, f).padEnd(40)} ${(body.length / 1024).toFixed(1).padStart(8)} kB  ${(z / 1024).toFixed(1).padStart(7)} kB gz`,
  )
}
const line = `UI bundle: ${(raw / 1024).toFixed(1)} kB, ${(gz / 1024).toFixed(1)} kB gzipped (budget ${budget / 1024} kB gzipped)`
if (gz > budget) {
  console.error(`${line}: OVER BUDGET`)
  process.exit(1)
}
console.log(line)
