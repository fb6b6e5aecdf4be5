// bus.publish (the publish() feature) with one async handler, awaited to the end, against
// emittery's emit (which awaits its listeners) and a floor: calling the handler directly and
// awaiting Promise.all.
import Emittery from 'emittery'
import * as v from 'valibot'
import { createBus, defineCatalog, defineEvent, publish, standard } from '../packages/core/dist/esm/index.js'
import { compare, table } from './harness.mjs'

const TYPE = 'bench.tick'
const payload = { n: 1 }
const catalog = defineCatalog(defineEvent(TYPE, { schema: v.object({ n: v.number() }) }))

// Masked so it stays a small integer: once past 2^30 it would be a heap number and every add would allocate.
const MASK = 0xffffff
let sink = 0
const handler = () => async (data) => {
  sink = (sink + data.n) & MASK
}
// Emittery 2 hands listeners an event object { name, data }.
const emitteryHandler = () => async (event) => {
  sink = (sink + event.data.n) & MASK
}

// publish() is the one feature bus.publish needs; standard() is every in-process feature.
const typed = createBus({ catalog, validate: false }, publish())
typed.on(TYPE, handler())
const untyped = createBus({}, publish())
untyped.on(TYPE, handler())
const full = createBus({ catalog, validate: false }, standard())
full.on(TYPE, handler())
const emittery = new Emittery()
emittery.on(TYPE, emitteryHandler())
const direct = handler()

const cases = [
  { name: 'tidings publish (typed, validate: false)', fn: () => typed.publish(TYPE, payload), async: true },
  { name: 'tidings publish (untyped)', fn: () => untyped.publish(TYPE, payload), async: true },
  { name: 'tidings publish, standard() (typed, validate: false)', fn: () => full.publish(TYPE, payload), async: true },
  { name: 'emittery', fn: () => emittery.emit(TYPE, payload), async: true },
  { name: 'floor: Promise.all([handler()])', fn: () => Promise.all([direct(payload)]), async: true },
]

// Each case must run its handler once per call, and tidings must report the delivery.
for (const c of cases) {
  const before = sink
  const result = await c.fn()
  if (((sink - before) & MASK) !== 1) throw new Error(`${c.name} did not call its handler`)
  if (c.name.startsWith('tidings') && result.delivered !== 1) throw new Error(`${c.name} reported ${result.delivered} deliveries`)
}

const TARGET = 4
const rows = await compare(cases, { rounds: 9, roundMs: 200, warmupMs: 300 })
console.log(`## publish (Node ${process.version})\n`)
console.log(table('publish, 1 async handler', rows, 'emittery'))
console.log()
const emitteryHz = rows.find((r) => r.name === 'emittery').hz
const misses = rows
  .filter((r) => r.name.startsWith('tidings') && r.hz / emitteryHz < TARGET)
  .map((r) => `${r.name}: ${(r.hz / emitteryHz).toFixed(2)}×`)
console.log(misses.length ? `Target publish ≥ ${TARGET}× emittery: not met (${misses.join('; ')})` : `Target publish ≥ ${TARGET}× emittery: met`)
