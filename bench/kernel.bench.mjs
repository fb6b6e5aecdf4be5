// The kernel and each feature, against mitt, in one process: bundled from the sources on the fly
// (esbuild), so no build is needed. Emit at 1 and 10 listeners per case, then publish with one
// async handler against emittery. `--quick` runs fewer, shorter rounds. (The old monolithic bus is
// gone; its last figures beside the kernel's are in BENCHMARKS.md.)
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Emittery from 'emittery'
import { build } from 'esbuild'
import mitt from 'mitt'
import * as v from 'valibot'
import { compare, table } from './harness.mjs'

const root = new URL('..', import.meta.url).pathname
const quick = process.argv.includes('--quick')
const options = quick ? { rounds: 5, roundMs: 100, warmupMs: 150 } : { rounds: 9, roundMs: 150, warmupMs: 250 }

const bundle = await build({
  stdin: {
    contents: [
      "export { createBus } from './packages/core/src/kernel/index.ts'",
      "export * from './packages/core/src/features/index.ts'",
      "export { defineCatalog, defineEvent } from './packages/core/src/catalog.ts'",
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true, format: 'esm', platform: 'node', target: 'es2022', write: false, logLevel: 'error',
  define: { 'process.env.NODE_ENV': '"production"' },
})
const file = join(tmpdir(), `tidings-kernel-bench-${process.pid}.mjs`)
writeFileSync(file, bundle.outputFiles[0].text)
const k = await import(file)

const TYPE = 'bench.tick'
const payload = { n: 1 }
const catalog = k.defineCatalog(k.defineEvent(TYPE, { schema: v.object({ n: v.number() }) }))
const typed = { catalog, validate: false }

// Masked so it stays a small integer: once past 2^30 it would be a heap number and every add would allocate.
const MASK = 0xffffff
let sink = 0
// A fresh function per subscription, as an app's distinct handlers would be.
const handler = () => (data) => {
  sink = (sink + data.n) & MASK
}

// A transport that carries no type: what its route step costs the events it does not carry.
const idle = { carries: () => false, ready: Promise.resolve(), attach() {}, publish() {}, republish: async () => {}, flush: async () => {}, close: async () => {} }

const buses = () => [
  ['mitt', () => mitt()],
  ['kernel (typed, validate: false)', () => k.createBus(typed)],
  ['kernel + retry()', () => k.createBus(typed, k.retry())],
  ['kernel + deadLetters()', () => k.createBus(typed, k.deadLetters())],
  ['kernel + publish()', () => k.createBus(typed, k.publish())],
  ['kernel + metrics()', () => k.createBus(typed, k.metrics())],
  ['kernel + history()', () => k.createBus(typed, k.history())],
  ['kernel + observe() (nobody observing)', () => k.createBus(typed, k.observe())],
  ['kernel + transport() (type not carried) + deadLetters()', () => k.createBus(typed, k.transport(idle), k.deadLetters())],
  ['kernel + standard()', () => k.createBus(typed, k.standard())],
]

const casesFor = (listeners) => buses().map(([name, make]) => {
  const bus = make()
  for (let i = 0; i < listeners; i++) bus.on(TYPE, handler())
  return { name, fn: () => bus.emit(TYPE, payload) }
})

// Each case must reach every listener once per call, or its figure means nothing.
const checkWiring = (cases, listeners) => {
  for (const c of cases) {
    const before = sink
    c.fn()
    if (((sink - before) & MASK) !== listeners) throw new Error(`${c.name} did not call its ${listeners} listener(s)`)
  }
}

const ns = (hz) => 1e9 / hz
const targets = []
console.log(`## kernel emit (Node ${process.version}${quick ? ', quick' : ''})\n`)
for (const listeners of [1, 10]) {
  const cases = casesFor(listeners)
  checkWiring(cases, listeners)
  const rows = await compare(cases, options)
  console.log(table(`emit, ${listeners} listener${listeners === 1 ? '' : 's'}`, rows, 'mitt'))
  const hz = (name) => rows.find((r) => r.name === name).hz
  const kernelNs = ns(hz('kernel (typed, validate: false)'))
  console.log(`\nns per emit, and added to the kernel's ${kernelNs.toFixed(1)} ns:\n`)
  for (const r of rows.filter((r) => r.name.startsWith('kernel +'))) console.log(`- ${r.name}: ${ns(r.hz).toFixed(1)} ns (${(ns(r.hz) - kernelNs >= 0 ? '+' : '')}${(ns(r.hz) - kernelNs).toFixed(1)})`)
  console.log()
  targets.push([`kernel typed (validate: false) ≥ 1.0× mitt at ${listeners}`, hz('kernel (typed, validate: false)') / hz('mitt'), 1.0])
  targets.push([`standard() ≥ 0.7× mitt at ${listeners}`, hz('kernel + standard()') / hz('mitt'), 0.7])
}

const asyncHandler = () => async (data) => {
  sink = (sink + data.n) & MASK
}
const published = k.createBus(typed, k.publish())
published.on(TYPE, asyncHandler())
const standardBus = k.createBus(typed, k.standard())
standardBus.on(TYPE, asyncHandler())
const emittery = new Emittery()
emittery.on(TYPE, async (event) => {
  sink = (sink + event.data.n) & MASK
})
const publishCases = [
  { name: 'kernel + publish()', fn: () => published.publish(TYPE, payload), async: true },
  { name: 'kernel + standard()', fn: () => standardBus.publish(TYPE, payload), async: true },
  { name: 'emittery', fn: () => emittery.emit(TYPE, payload), async: true },
]
for (const c of publishCases) {
  const before = sink
  const report = await c.fn()
  if (((sink - before) & MASK) !== 1 || (report && report.delivered !== 1)) throw new Error(`${c.name} did not deliver once`)
}
const publishRows = await compare(publishCases, options)
console.log(table('publish, 1 async handler', publishRows, 'emittery'))
const phz = (name) => publishRows.find((r) => r.name === name).hz
targets.push(['publish() ≥ 4× emittery', phz('kernel + publish()') / phz('emittery'), 4])

console.log('\n| target | measured | |\n|---|---:|---|')
for (const [name, ratio, target] of targets) console.log(`| ${name} | ${ratio.toFixed(2)}× | ${ratio >= target ? 'met' : 'not met'} |`)
