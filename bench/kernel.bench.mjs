// The kernel and each feature, against mitt: bundled from the sources on the fly (esbuild), so no
// build is needed. Emit at 1 and 10 listeners per case, then publish with one async handler
// against emittery. Each case runs in its own child process beside its peer (bench/isolate.mjs
// says why). `--quick` runs fewer, shorter rounds.
import { unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Emittery from 'emittery'
import { build } from 'esbuild'
import mitt from 'mitt'
import * as v from 'valibot'
import { compare, median, pairedRatio } from './harness.mjs'
import { childJob, inChild } from './isolate.mjs'

const root = new URL('..', import.meta.url).pathname
const job = childJob()
const quick = job === undefined ? process.argv.includes('--quick') : job.quick
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
const bundled = join(tmpdir(), `tidings-kernel-bench-${process.pid}.mjs`)
writeFileSync(bundled, bundle.outputFiles[0].text)
const k = await import(bundled)
// Every child writes its own: remove it once loaded.
unlinkSync(bundled)

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

const buses = [
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
const makers = new Map(buses)

// Each case must reach every listener once per call, or its figure means nothing.
const checkWiring = (cases, listeners) => {
  for (const c of cases) {
    const before = sink
    c.fn()
    if (((sink - before) & MASK) !== listeners) throw new Error(`${c.name} did not call its ${listeners} listener(s)`)
  }
}

/** In a child: one bus beside mitt, emitting to `listeners` handlers. */
const measureEmit = async ({ name, listeners }) => {
  const cases = [name, 'mitt'].map((caseName) => {
    const bus = makers.get(caseName)()
    for (let i = 0; i < listeners; i++) bus.on(TYPE, handler())
    return { name: caseName, fn: () => bus.emit(TYPE, payload) }
  })
  checkWiring(cases, listeners)
  const [row, peer] = await compare(cases, options)
  return { name, hz: row.hz, peer: peer.hz, ...pairedRatio(row, peer) }
}

const asyncHandler = () => async (data) => {
  sink = (sink + data.n) & MASK
}

/** In a child: one bus's publish beside emittery's emit, one async handler each. */
const measurePublish = async ({ name }) => {
  const bus = makers.get(name)()
  bus.on(TYPE, asyncHandler())
  const emittery = new Emittery()
  emittery.on(TYPE, async (event) => {
    sink = (sink + event.data.n) & MASK
  })
  const cases = [
    { name, fn: () => bus.publish(TYPE, payload), async: true },
    { name: 'emittery', fn: () => emittery.emit(TYPE, payload), async: true },
  ]
  for (const c of cases) {
    const before = sink
    const report = await c.fn()
    if (((sink - before) & MASK) !== 1 || (report && report.delivered !== 1)) throw new Error(`${c.name} did not deliver once`)
  }
  const [row, peer] = await compare(cases, options)
  return { name, hz: row.hz, peer: peer.hz, ...pairedRatio(row, peer) }
}

if (job !== undefined) console.log(JSON.stringify(await (job.publish ? measurePublish(job) : measureEmit(job))))
else {
  const file = new URL(import.meta.url).pathname
  const ns = (hz) => 1e9 / hz
  const targets = []
  console.log(`## kernel emit (Node ${process.version}${quick ? ', quick' : ''}; one child process per case, beside mitt)\n`)
  for (const listeners of [1, 10]) {
    const rows = buses.filter(([name]) => name !== 'mitt').map(([name]) => inChild(file, { name, listeners, quick }))
    const kernel = rows[0]
    // The load moves between children (mitt's own ns with it): a case's cost is read from its
    // paired ratio, in units of mitt's median emit over all children.
    const mittNs = median(rows.map((r) => ns(r.peer)))
    const cost = (r) => mittNs / r.ratio
    console.log(`### emit, ${listeners} listener${listeners === 1 ? '' : 's'}\n`)
    console.log(`| case | ns per emit | ns, as mitt's ${mittNs.toFixed(1)} ns / ratio | added to the kernel | vs mitt (paired median) | range |`)
    console.log('|---|---:|---:|---:|---:|---:|')
    for (const r of rows) {
      const added = r === kernel ? '' : `${cost(r) - cost(kernel) >= 0 ? '+' : ''}${(cost(r) - cost(kernel)).toFixed(1)}`
      console.log(`| ${r.name} | ${ns(r.hz).toFixed(1)} | ${cost(r).toFixed(1)} | ${added} | ${r.ratio.toFixed(2)}× | ${r.min.toFixed(2)}× – ${r.max.toFixed(2)}× |`)
    }
    console.log()
    targets.push([`kernel typed (validate: false) ≥ 1.0× mitt at ${listeners}`, kernel.ratio, 1.0])
    targets.push([`standard() ≥ 0.7× mitt at ${listeners}`, rows.find((r) => r.name === 'kernel + standard()').ratio, 0.7])
  }
  console.log('### publish, 1 async handler\n')
  console.log('| case | ops/s | emittery, same process | vs emittery (paired median) | range |')
  console.log('|---|---:|---:|---:|---:|')
  for (const name of ['kernel + publish()', 'kernel + standard()']) {
    const r = inChild(file, { name, publish: true, quick })
    console.log(`| ${name} | ${(r.hz / 1e6).toFixed(2)} M/s | ${(r.peer / 1e6).toFixed(2)} M/s | ${r.ratio.toFixed(2)}× | ${r.min.toFixed(2)}× – ${r.max.toFixed(2)}× |`)
    targets.push([`${name} publish ≥ 4× emittery`, r.ratio, 4])
  }
  console.log('\n| target | measured | |\n|---|---:|---|')
  for (const [name, ratio, target] of targets) console.log(`| ${name} | ${ratio.toFixed(2)}× | ${ratio >= target ? 'met' : 'not met'} |`)
}
