// Synchronous emit throughput of the kernel bus and of a standard() bus against peer emitters,
// at 1 and at 10 listeners. Every library
// gets the same payload object and handlers that do the same work (add a number to a sink).
import { EventEmitter as NodeEmitter } from 'node:events'
import EventEmitter3 from 'eventemitter3'
import mitt from 'mitt'
import { createNanoEvents } from 'nanoevents'
import { EventEmitter as Tseep } from 'tseep'
import * as v from 'valibot'
import { createBus, defineCatalog, defineEvent, standard } from '../packages/core/dist/esm/index.js'
import { compare, table } from './harness.mjs'

const TYPE = 'bench.tick'
const payload = { n: 1 }
const catalog = defineCatalog(defineEvent(TYPE, { schema: v.object({ n: v.number() }) }))

// Masked so it stays a small integer: once past 2^30 it would be a heap number and every add would allocate.
const MASK = 0xffffff
let sink = 0
// A fresh function per subscription, as an app's distinct handlers would be.
const handler = () => (data) => {
  sink = (sink + data.n) & MASK
}

// Each case must reach every listener once per call, or its figure means nothing.
const checkWiring = (cases, listeners) => {
  for (const c of cases) {
    const before = sink
    c.fn()
    if (((sink - before) & MASK) !== listeners) throw new Error(`${c.name} did not call its ${listeners} listener(s)`)
  }
}

const subscribe = (on, listeners) => {
  for (let i = 0; i < listeners; i++) on(handler())
}

const casesFor = (listeners) => {
  const typed = createBus({ catalog, validate: false })
  subscribe((h) => typed.on(TYPE, h), listeners)
  const untyped = createBus()
  subscribe((h) => untyped.on(TYPE, h), listeners)
  const full = createBus({ catalog, validate: false }, standard())
  subscribe((h) => full.on(TYPE, h), listeners)
  const m = mitt()
  subscribe((h) => m.on(TYPE, h), listeners)
  const ee3 = new EventEmitter3()
  subscribe((h) => ee3.on(TYPE, h), listeners)
  const ts = new Tseep()
  subscribe((h) => ts.on(TYPE, h), listeners)
  const nano = createNanoEvents()
  subscribe((h) => nano.on(TYPE, h), listeners)
  const node = new NodeEmitter()
  subscribe((h) => node.on(TYPE, h), listeners)
  return [
    { name: 'tidings (typed, validate: false)', fn: () => typed.emit(TYPE, payload) },
    { name: 'tidings (untyped)', fn: () => untyped.emit(TYPE, payload) },
    { name: 'tidings + standard() (typed, validate: false)', fn: () => full.emit(TYPE, payload) },
    { name: 'mitt', fn: () => m.emit(TYPE, payload) },
    { name: 'eventemitter3', fn: () => ee3.emit(TYPE, payload) },
    { name: 'tseep', fn: () => ts.emit(TYPE, payload) },
    { name: 'nanoevents', fn: () => nano.emit(TYPE, payload) },
    { name: 'node:events', fn: () => node.emit(TYPE, payload) },
  ]
}

// The kernel must match mitt; a bus with every in-process feature may cost up to 30 % more.
const TARGET = 1.0
const STANDARD_TARGET = 0.7
const targetOf = (name) => (name.includes('standard()') ? STANDARD_TARGET : TARGET)
const options = { rounds: 9, roundMs: 150, warmupMs: 250 }
const failures = []

console.log(`## emit (Node ${process.version})\n`)
for (const listeners of [1, 10]) {
  const cases = casesFor(listeners)
  checkWiring(cases, listeners)
  const rows = await compare(cases, options)
  console.log(table(`emit, ${listeners} listener${listeners === 1 ? '' : 's'}`, rows, 'mitt'))
  const mittHz = rows.find((r) => r.name === 'mitt').hz
  for (const r of rows.filter((r) => r.name.startsWith('tidings'))) {
    const ratio = r.hz / mittHz
    if (ratio < targetOf(r.name)) failures.push(`${r.name} at ${listeners}: ${ratio.toFixed(2)}×`)
  }
  console.log()
}
const targets = `emit ≥ ${TARGET.toFixed(1)}× mitt (kernel), ≥ ${STANDARD_TARGET.toFixed(1)}× mitt (standard())`
console.log(failures.length ? `Targets ${targets}: not met (${failures.join('; ')})` : `Targets ${targets}: met`)
