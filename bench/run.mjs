// Runs every bench/*.bench.mjs, one at a time and each in its own process, so that one benchmark's
// JIT state and garbage never weigh on the next. `node bench/run.mjs emit` runs only the names given.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'

const dir = new URL('.', import.meta.url).pathname
const only = process.argv.slice(2)
const all = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).sort()
const files = only.length === 0 ? all : all.filter((f) => only.includes(f.slice(0, -'.bench.mjs'.length)))

if (files.length === 0) {
  console.error(`No benchmark to run: asked for ${only.join(', ') || 'all'}, found ${all.join(', ') || 'no bench/*.bench.mjs files'}`)
  process.exit(1)
}

const failed = []
for (const file of files) {
  console.log(`\n> node bench/${file}\n`)
  const { status } = spawnSync(process.execPath, [dir + file], { stdio: 'inherit' })
  if (status !== 0) failed.push(file)
}
if (failed.length) {
  console.error(`\n${failed.length} benchmark(s) failed: ${failed.join(', ')}`)
  process.exit(1)
}
