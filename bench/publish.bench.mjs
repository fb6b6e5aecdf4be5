// bus.publish (the publish() feature) with one async handler, awaited to the end, against
// emittery's emit (which awaits its listeners) and a floor: calling the handler directly and
// awaiting Promise.all. Each configuration runs in its own child process beside emittery
// (bench/isolate.mjs says why).
import Emittery from 'emittery'
import * as v from 'valibot'
import { createBus, defineCatalog, defineEvent, publish, standard } from '../packages/core/dist/esm/index.js'
import { compare, fmt, pairedRatio } from './harness.mjs'
import { childJob, inChild } from './isolate.mjs'

const TYPE = 'bench.tick'
const payload = { n: 1 }
const catalog = defineCatalog(defineEvent(TYPE, { schema: v.object({ n: v.number() }) }))

// Masked so it stays a small integer: once past 2^30 it would be a heap number and every add would allocate.
const MASK = 0xffffff
let sink = 0
const handler = () => async (data) => {
  sink = (sink + data.n) & MASK
}

// publish() is the one feature bus.publish needs; standard() is every in-process feature.
const configs = {
  'tidings publish (typed, validate: false)': () => {
    const bus = createBus({ catalog, validate: false }, publish())
    bus.on(TYPE, handler())
    return () => bus.publish(TYPE, payload)
  },
  'tidings publish (untyped)': () => {
    const bus = createBus({}, publish())
    bus.on(TYPE, handler())
    return () => bus.publish(TYPE, payload)
  },
  'tidings publish, standard() (typed, validate: false)': () => {
    const bus = createBus({ catalog, validate: false }, standard())
    bus.on(TYPE, handler())
    return () => bus.publish(TYPE, payload)
  },
  'floor: Promise.all([handler()])': () => {
    const direct = handler()
    return () => Promise.all([direct(payload)])
  },
}
const emitteryConfig = () => {
  const emittery = new Emittery()
  // Emittery 2 hands listeners an event object { name, data }.
  emittery.on(TYPE, async (event) => {
    sink = (sink + event.data.n) & MASK
  })
  return () => emittery.emit(TYPE, payload)
}

/** In a child: one configuration and emittery, side by side. */
const measure = async ({ name }) => {
  const cases = [
    { name, fn: configs[name](), async: true },
    { name: 'emittery', fn: emitteryConfig(), async: true },
  ]
  // Each case must run its handler once per call, and tidings must report the delivery.
  for (const c of cases) {
    const before = sink
    const result = await c.fn()
    if (((sink - before) & MASK) !== 1) throw new Error(`${c.name} did not call its handler`)
    if (c.name.startsWith('tidings') && result.delivered !== 1) throw new Error(`${c.name} reported ${result.delivered} deliveries`)
  }
  const [row, peer] = await compare(cases, { rounds: 11, roundMs: 200, warmupMs: 300 })
  return { name, hz: row.hz, emittery: peer.hz, ...pairedRatio(row, peer) }
}

const job = childJob()
if (job !== undefined) console.log(JSON.stringify(await measure(job)))
else {
  const TARGET = 4
  const file = new URL(import.meta.url).pathname
  const rows = Object.keys(configs).map((name) => inChild(file, { name }))
  console.log(`## publish (Node ${process.version}; one child process per configuration, beside emittery)\n`)
  console.log('### publish, 1 async handler\n')
  console.log('| case | ops/s (median) | emittery, same process | vs emittery (paired median) | range |')
  console.log('|---|---:|---:|---:|---:|')
  for (const r of rows.sort((a, b) => b.ratio - a.ratio)) {
    console.log(`| ${r.name} | ${fmt(r.hz)} | ${fmt(r.emittery)} | ${r.ratio.toFixed(2)}× | ${r.min.toFixed(2)}× – ${r.max.toFixed(2)}× |`)
  }
  console.log()
  const misses = rows.filter((r) => r.name.startsWith('tidings') && r.ratio < TARGET).map((r) => `${r.name}: ${r.ratio.toFixed(2)}×`)
  console.log(misses.length ? `Target publish ≥ ${TARGET}× emittery: not met (${misses.join('; ')})` : `Target publish ≥ ${TARGET}× emittery: met`)
}
